// Drives Debian's Chromium (through playwright-core) against a running
// Jupyter Notebook server: opens a notebook, chooses the Latent kernel from
// the kernel dialog (or the Kernel menu), runs the first code cell, waits for an image output and
// saves a screenshot. browser_test.go starts the server and runs this
// script; it prints one line "RESULT {json}" on success and exits 1 with a
// message on failure.
//
// Environment:
//   LATENT_NB_URL         the notebook's URL, token included
//   LATENT_SCREENSHOT     where to write the PNG screenshot
//   LATENT_USER_DATA_DIR  a fresh Chromium profile directory
//   LATENT_CHROMIUM       the browser binary (default /usr/bin/chromium)
//   LATENT_KERNEL         the kernelspec name to choose (default latent)
//   LATENT_CELL_TIMEOUT   seconds to wait for the image (default 300)
import { chromium } from 'playwright-core';

const url = process.env.LATENT_NB_URL;
const shot = process.env.LATENT_SCREENSHOT;
const profile = process.env.LATENT_USER_DATA_DIR;
const kernelName = process.env.LATENT_KERNEL || 'latent';
const cellTimeout = 1000 * Number(process.env.LATENT_CELL_TIMEOUT || 300);

const t0 = Date.now();
function log(...a) {
  console.error(`browser: ${((Date.now() - t0) / 1000).toFixed(1)}s`, ...a);
}

async function main() {
  if (!url || !shot || !profile) {
    throw new Error('set LATENT_NB_URL, LATENT_SCREENSHOT and LATENT_USER_DATA_DIR');
  }
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.LATENT_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1100, height: 1000 },
    deviceScaleFactor: 1,
  });
  try {
    return await run(ctx);
  } finally {
    await ctx.close();
  }
}

async function run(ctx) {
  const page = ctx.pages()[0] || (await ctx.newPage());
  page.on('pageerror', (e) => log('page error:', e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') log('console error:', m.text());
  });
  log('opening', url.replace(/token=[^&]+/, 'token=…'));
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
  await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded,
    null, { timeout: 60000 });

  // Choose the kernel as a user does. The notebook names a kernelspec that
  // is not installed, so Jupyter asks which kernel to use: pick Latent in
  // that dialog. Without the dialog, use Kernel > Change kernel.
  let chose = 'dialog';
  const dialog = page.locator('.modal-dialog', { hasText: 'Could not find a kernel' });
  try {
    await dialog.waitFor({ state: 'visible', timeout: 30000 });
    await dialog.locator('select').selectOption(kernelName);
    await dialog.locator('button', { hasText: 'Set Kernel' }).click();
  } catch (e) {
    log('no kernel dialog (' + e.message.split('\n')[0] + '); using the Kernel menu');
    chose = 'menu';
    await page.click('#kernellink', { timeout: 10000 });
    await page.hover('#menu-change-kernel', { timeout: 10000 });
    await page.click(`#kernel-submenu-${kernelName} a, #kernel-submenu-${kernelName}`, { timeout: 10000 });
  }
  await page.waitForFunction((n) => {
    const k = Jupyter.notebook.kernel;
    return k && k.name === n && k.is_connected() && k.info_reply && k.info_reply.status === 'ok';
  }, kernelName, { timeout: 60000 });
  const display = (await page.textContent('.kernel_indicator_name')).trim();
  log('kernel chosen through the', chose + ':', display);

  // Run the first code cell.
  const cell = page.locator('.cell.code_cell').first();
  await cell.locator('.CodeMirror').click();
  const started = Date.now();
  await page.keyboard.press('Shift+Enter');
  const img = cell.locator('.output_area img');
  const err = cell.locator('.output_error, .output_stderr');
  await Promise.race([
    img.first().waitFor({ state: 'visible', timeout: cellTimeout }),
    err.first().waitFor({ state: 'visible', timeout: cellTimeout }).then(async () => {
      throw new Error('the cell reported an error: ' + (await err.first().textContent()).slice(0, 2000));
    }),
  ]);
  // Wait for the cell to finish (its prompt gets a number) and for every
  // image in it to load.
  await page.waitForFunction((el) => {
    const p = el.querySelector('.input_prompt');
    return p && /\[\d+\]/.test(p.textContent);
  }, await cell.elementHandle(), { timeout: cellTimeout });
  await page.waitForFunction((el) => [...el.querySelectorAll('.output_area img')]
    .every((i) => i.complete && i.naturalWidth > 0), await cell.elementHandle(), { timeout: 30000 });
  const seconds = (Date.now() - started) / 1000;
  const images = await img.evaluateAll((els) => els.map((e) => ({ w: e.naturalWidth, h: e.naturalHeight })));
  const errors = await err.count();
  // Notebook 6 scrolls inside #site; let the page grow so that a full-page
  // screenshot shows the whole notebook.
  await page.addStyleTag({ content: '#site { height: auto !important; overflow: visible !important; } body { overflow: visible !important; }' });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: shot, fullPage: true });
  log(`cell ran in ${seconds.toFixed(1)} s; ${images.length} images; screenshot ${shot}`);
  return { kernel: display, chose, images, errors, seconds };
}

main().then((r) => {
  console.log('RESULT ' + JSON.stringify(r));
  process.exit(0);
}, (e) => {
  console.error('browser: FAIL: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
