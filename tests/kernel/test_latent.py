"""Debian's jupyter_kernel_test suite against the Latent kernel.

Run by kernel/jupyter_test.go with the kernelspec installed in a temporary
JUPYTER_PATH; by hand: JUPYTER_PATH=... /usr/bin/python3 test_latent.py -v
"""
import unittest

import jupyter_kernel_test as jkt


class LatentKernelTests(jkt.KernelTests):
    kernel_name = "latent"
    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'fmt.Println("hello, world")'
    code_stderr = 'import "os"\nfmt.Fprintln(os.Stderr, "to stderr")'

    # Members of a package complete after the dot; the cursor is at the end.
    completion_samples = [
        {"text": "fmt.Sprin", "matches": {"Sprint", "Sprintf", "Sprintln"}},
        {"text": "fmt.Errorf", "matches": {"Errorf"}},
    ]

    complete_code_samples = [
        "1+2",
        'fmt.Println("hi")',
        "func f() int { return 1 }",
        "x := []int{1, 2,\n3}",
    ]
    incomplete_code_samples = [
        "func f() {",
        "for i := 0; i < 3; i++ {",
        "fmt.Println(",
        "x := []int{1, 2,",
    ]
    invalid_code_samples = [
        "x := 1)",
        "}",
    ]

    code_generate_error = "undefinedName + 1"

    code_execute_result = [
        {"code": "1+2", "result": "3"},
        {"code": "6*7", "result": "42"},
    ]
    code_history_pattern = "6*7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "fmt.Println"

    code_display_data = [
        {"code": 'display.Show(display.HTML("<b>x</b>"))', "mime": "text/html"},
        {"code": 'display.Show(display.Markdown("*md*"))', "mime": "text/markdown"},
    ]

    code_clear_output = "display.ClearOutput(false)"


if __name__ == "__main__":
    unittest.main()
