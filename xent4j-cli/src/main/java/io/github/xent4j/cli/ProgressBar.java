package io.github.xent4j.cli;

import java.io.PrintWriter;

/**
 * A one-line progress bar on stderr for long runs: drawn only when stderr is a terminal, only once
 * a run has taken more than a second, and at most ten times a second; erased when the run ends.
 */
public final class ProgressBar implements AutoCloseable {

    private static final long DELAY_NANOS = 1_000_000_000L;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean enabled;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    /**
     * @param enabled whether stderr is a terminal (otherwise nothing is ever printed)
     * @param label   what is being processed, e.g. the input file name
     * @param total   the units of work (rows)
     */
    public ProgressBar(PrintWriter err, boolean enabled, String label, long total) {
        this.err = err;
        this.enabled = enabled && total > 0;
        this.label = label;
        this.total = total;
    }

    /** Reports that {@code done} of the units are finished. */
    public void update(long done) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - start < DELAY_NANOS || (drawn && now - lastDraw < REDRAW_NANOS)) {
            return;
        }
        lastDraw = now;
        drawn = true;
        double fraction = Math.min(1.0, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        double elapsed = (now - start) / 1e9;
        String eta = fraction > 0 ? String.format(java.util.Locale.ROOT, "%.0fs left", elapsed / fraction - elapsed) : "";
        err.print("\r" + label + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
                + String.format(java.util.Locale.ROOT, "%3d%%", (int) (fraction * 100)) + " " + eta + "   ");
        err.flush();
    }

    /** Erases the bar if it was drawn. */
    @Override
    public void close() {
        if (drawn) {
            err.print("\r" + " ".repeat(label.length() + WIDTH + 24) + "\r");
            err.flush();
            drawn = false;
        }
    }
}
