// Package plotting draws the figures a user of autoencoders wants to look
// at — loss curves, reconstruction and sample grids, latent-space scatter
// plots, anomaly histograms and ROC curves, learned features, rating
// heatmaps — and the live training display shown while a model fits.
//
// Every figure is built from plain inputs (slices of float64 or float32,
// images as float32 rows with a Shape, labels as []int, class names as
// []string), so a notebook cell can call it directly and the notebook
// session can map the runtime's result types onto it. A constructor
// returns a *Figure, which is a display.Renderer: as a cell's result it
// shows inline. Bad input never panics: the figure carries the error,
// shows it as text and returns it from PNG, SVG and Save.
//
// Figures are 720 CSS pixels wide (540 pt) and rendered to PNG at 96 dpi,
// which is one PNG pixel per CSS pixel in JupyterLab; image grids take the
// height their rows need. Text uses the Liberation Sans font bundled with
// gonum/plot (SVG output names Arial, which is metric compatible, as the
// fallback). The same input gives byte-identical PNG and SVG output.
//
// Training progress is shown by LiveProgress (an HTML progress bar with a
// loss plot, updated in place through a display ID and rate limited) and
// TerminalProgress (one line redrawn with carriage returns); both are
// host.Reporter values for runtime/host.
package plotting
