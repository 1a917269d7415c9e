package quarry.cli;

import java.io.PrintStream;
import java.util.Locale;
import quarry.core.Progress;

/**
 * A progress bar on stderr: redrawn in place on a terminal, a plain line every tenth of the way
 * otherwise (so CI logs stay readable). Thread-safe.
 */
public final class ProgressBar implements Progress {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final String label;
    private final String unit;
    private final boolean terminal;
    /** Set at the first update, so model loading before it does not count against the rate. */
    private long start = -1;
    private long startDone;
    private long lastDraw;
    private long lastDecile = -1;
    private boolean finished;

    public ProgressBar(PrintStream out, String label, String unit) {
        this(out, label, unit, System.console() != null);
    }

    ProgressBar(PrintStream out, String label, String unit, boolean terminal) {
        this.out = out;
        this.label = label;
        this.unit = unit;
        this.terminal = terminal;
    }

    @Override
    public synchronized void update(long done, long total) {
        if (finished || total <= 0) {
            return;
        }
        long now = System.nanoTime();
        if (start < 0) {
            start = now;
            startDone = done;
        }
        boolean complete = done >= total;
        if (terminal) {
            if (complete || now - lastDraw >= REDRAW_NANOS) {
                lastDraw = now;
                out.print("\r" + line(done, total, now));
                if (complete) {
                    out.println();
                }
                out.flush();
            }
        } else {
            long decile = done * 10 / total;
            if (decile != lastDecile) {
                lastDecile = decile;
                out.println(line(done, total, now));
            }
        }
        finished = complete;
    }

    String line(long done, long total, long now) {
        double share = Math.min(1.0, (double) done / total);
        int filled = (int) Math.round(share * WIDTH);
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        double rate = (done - startDone) / seconds;
        String eta = done == startDone ? "?" : formatSeconds((total - done) / Math.max(rate, 1e-9));
        return String.format(Locale.ROOT, "%s [%s%s] %3.0f%% %d/%d %s  %.0f %s/s  ETA %s ",
                label, "#".repeat(filled), ".".repeat(WIDTH - filled), share * 100, done, total, unit, rate, unit,
                eta);
    }

    private static String formatSeconds(double s) {
        long secs = Math.round(s);
        return secs >= 60 ? (secs / 60) + "m" + String.format(Locale.ROOT, "%02d", secs % 60) + "s" : secs + "s";
    }
}
