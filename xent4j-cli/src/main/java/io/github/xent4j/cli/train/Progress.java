package io.github.xent4j.cli.train;

import java.io.PrintWriter;
import java.util.Locale;

/** Reports training progress on the error stream: a redrawn bar on a terminal, else one line per epoch. */
abstract class Progress {

    /** How progress is shown; AUTO is a bar when the JVM has a console, else lines. */
    enum Mode { auto, bar, lines, none }

    static Progress create(Mode mode, PrintWriter err, int epochs) {
        Mode m = mode == Mode.auto ? (System.console() != null ? Mode.bar : Mode.lines) : mode;
        return switch (m) {
            case bar -> new Bar(err, epochs);
            case lines -> new Lines(err, epochs);
            default -> new Progress() {
            };
        };
    }

    /** During an epoch: batches done of total, and the running training loss and accuracy. */
    void batch(int epoch, int done, int total, double loss, double accuracy) {
    }

    /** After an epoch's evaluation. */
    void epoch(EpochRecord r, double seconds) {
    }

    static String summary(EpochRecord r) {
        return String.format(Locale.ROOT, "train loss %s acc %5.1f%% | test loss %s acc %5.1f%%",
                loss(r.trainLoss()), 100 * r.trainAccuracy(), loss(r.testLoss()), 100 * r.testAccuracy());
    }

    /** Four decimals, or scientific notation for a diverging loss. */
    static String loss(double v) {
        return String.format(Locale.ROOT, Math.abs(v) < 1e4 || !Double.isFinite(v) ? "%.4f" : "%.3e", v);
    }

    private static final class Lines extends Progress {
        private final PrintWriter err;
        private final int width;
        private final int epochs;

        Lines(PrintWriter err, int epochs) {
            this.err = err;
            this.epochs = epochs;
            this.width = Integer.toString(epochs).length();
        }

        @Override
        void epoch(EpochRecord r, double seconds) {
            err.printf(Locale.ROOT, "epoch %" + width + "d/%d  %s  (%.2f s)%n", r.epoch(), epochs, summary(r), seconds);
            err.flush();
        }
    }

    private static final class Bar extends Progress {
        private static final int CELLS = 24;
        private static final long REDRAW_NANOS = 50_000_000L;
        private final PrintWriter err;
        private final int width;
        private final int epochs;
        private long lastDraw;
        private int lastLength;

        Bar(PrintWriter err, int epochs) {
            this.err = err;
            this.epochs = epochs;
            this.width = Integer.toString(epochs).length();
        }

        @Override
        void batch(int epoch, int done, int total, double loss, double accuracy) {
            long now = System.nanoTime();
            if (done < total && now - lastDraw < REDRAW_NANOS) {
                return;
            }
            lastDraw = now;
            int filled = (int) ((long) CELLS * done / total);
            String line = String.format(Locale.ROOT, "epoch %" + width + "d/%d [%s%s] %d/%d  loss %s  acc %5.1f%%",
                    epoch, epochs, "=".repeat(filled), " ".repeat(CELLS - filled), done, total, loss(loss), 100 * accuracy);
            draw(line);
        }

        @Override
        void epoch(EpochRecord r, double seconds) {
            draw(String.format(Locale.ROOT, "epoch %" + width + "d/%d [%s] %s  (%.2f s)",
                    r.epoch(), epochs, "=".repeat(CELLS), summary(r), seconds));
            err.print('\n');
            err.flush();
            lastLength = 0;
        }

        private void draw(String line) {
            // \r returns to the start of the line; pad to hide the tail of a longer previous line.
            err.print('\r' + line + " ".repeat(Math.max(0, lastLength - line.length())));
            err.flush();
            lastLength = line.length();
        }
    }
}
