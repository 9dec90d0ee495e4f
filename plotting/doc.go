// Package plotting draws the figures a user of autoencoders wants to look
// at, and the live display shown while a model trains.
//
// Every figure is built from plain inputs — slices of float64 or float32,
// images as float32 rows with a Shape (C,H,W), labels as []int, class names
// as []string — so a notebook cell can call it directly and the notebook
// session can map the runtime's result types onto it:
//
//   - Loss, LossCurves: training and validation loss per epoch, best epoch
//     ringed, several runs overlaid, optional log scale.
//   - Reconstructions, CompareReconstructions, WorstReconstructions:
//     originals over (noisy inputs over) reconstructions, with captions.
//   - ImageGrid, ImageRows, Samples, Interpolation, Manifold: image grids,
//     interpolation strips and the decoded grid of a 2-D latent slice.
//   - Latent: codes coloured by class with a legend of class names; codes
//     wider than 2-D are projected on two principal components (computed
//     here with gonum), and the title says so.
//   - ErrorHistogram, ROC, ROCAt, ROCCurves, PRCurve: anomaly detection;
//     Histogram for any values.
//   - Features, FeaturesInOut: first-layer weights as images.
//   - Ratings, TopK: a rating matrix beside its reconstruction, and a top-K
//     table (a Table, shown as HTML).
//   - Line, Scatter, Bar, Hist: the user's own numbers in one call;
//     Plot wraps a *plot.Plot built with gonum/plot in a cell.
//   - Stack puts figures one above the other.
//   - ImagesOf, ReconstructionsOf, LatentOf take runtime/data sets;
//     HistoryLoss, CompareHistories, ReconstructionFigure,
//     CompareReconstructionFigures, CodesFigure, SamplesFigure,
//     InterpolationFigure, LatentManifold, AnomalyFigure, AnomalyWorst,
//     RecommenderFigure and RecommenderTopK take runtime/ae results.
//
// A constructor returns a *Figure, which is a display.Renderer: as a cell's
// result it shows inline. PNG, SVG and Save (atomic, by extension) give its
// bytes. Bad input never panics: the figure carries the error, shows it as
// text and returns it from Err, PNG, SVG and Save.
//
// Figures are 720 CSS pixels wide (540 pt; plots 720×450, image grids as
// high as their rows need) and rendered to PNG at 96 dpi, one PNG pixel per
// CSS pixel, or 2× or 3× that after SetPNGScale for high-density screens.
// Text is Liberation Sans (bundled with gonum/plot) at 9 to 12 pt; SVG
// output falls back to Arial, which has the same metrics. Image pixels stay
// sharp: rasters are magnified by pixel repetition, never smoothed. The
// same input gives byte-identical PNG and SVG output (no timestamps, fixed
// fonts, no map-order dependence). Classes and series take their colours
// from Palette, ten distinct hues.
//
// Training progress: LiveProgress shows one HTML display — a progress bar
// with epoch, batch, loss, validation loss, samples/s and ETA, and the loss
// plot redrawn at every epoch end — created once and then updated in place
// through its display ID, at most five times a second (the end of training
// always gets through; epochs shorter than 200 ms are thinned), and left
// showing the final state or where training stopped. TerminalProgress
// writes the same facts as one line redrawn on a terminal, keeping a line
// per epoch (only those lines in a log). Both have a Report method that is
// a runtime/host.Reporter.
package plotting
