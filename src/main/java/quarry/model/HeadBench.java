package quarry.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import quarry.core.Vectors;

/**
 * Times the heads on synthetic embeddings: 150 Gaussian clusters in 384-d, each point its cluster's
 * centre plus noise, L2-normalised (cosine to its own centre ≈ 0.45), all seeded. Measures cold
 * training with the default settings at 150 labels (one per class), 1k, 5k and 20k; a warm retrain
 * after 10 new labels on 5k; and scoring (probabilities, MC dropout with 20 passes, EGL) of a 100k
 * pool, optionally of a 1M pool. Each timing is the median of several runs, with all runs and the
 * process CPU time listed, because the machine may be shared. The clusters are easier than real
 * intents (held-out accuracy is a sanity check here, not a quality figure).
 *
 * <p>Call {@link #run} (the CLI's {@code bench} command does); a full run with the 1M pool takes a
 * few minutes and about 2.5 GB of memory.
 */
public final class HeadBench {

    public static final int DIMENSION = 384;
    public static final int CLUSTERS = 150;
    /** Noise norm relative to the (unit) centre. */
    private static final double NOISE = 2.0;
    private static final String ENCODER = "synthetic";

    /**
     * One measured task: wall-clock seconds of each run and their median, and the median process CPU
     * seconds (all threads). On a shared machine the CPU time shows the work even when the wall
     * clock shows the neighbours.
     */
    public record Row(String task, int rows, double medianSeconds, double[] runs, double medianCpuSeconds,
                      String note) {
    }

    private HeadBench() {
    }

    /**
     * Runs the benchmark and returns the printable table.
     *
     * @param repeats    runs per timing (the median is reported), at least 1
     * @param millionRow also score a 1M-row pool (a 100k base repeated ten times; the 1M×150
     *                   probabilities take ~650 MB of heap, MC dropout runs without mean probabilities)
     * @param log        progress lines as the runs finish
     */
    public static String run(int repeats, boolean millionRow, Consumer<String> log) {
        return table(measure(repeats, millionRow, log));
    }

    public static List<Row> measure(int repeats, boolean millionRow, Consumer<String> log) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        List<Row> rows = new ArrayList<>();
        log.accept("load average before: " + loadAverage());
        Synthetic data = new Synthetic(100_000 + 20_000 + 5_000, 7L);
        int[] testRows = range(120_000, 125_000);
        HeadConfig config = HeadConfig.defaults();

        // warm-up: the first training in a JVM pays for loading libtorch and JIT compilation
        try (Head warmUp = Head.train(data, range(0, 300), data.targets(range(0, 300)), config, null, ENCODER)) {
            warmUp.probabilities(data, range(0, 1000));
        }

        Head fiveK = null;
        try {
            for (int n : new int[] {CLUSTERS, 1_000, 5_000, 20_000}) {
                int[] train = range(0, n);
                Targets y = data.targets(train);
                Timer timer = new Timer(repeats);
                String note = "";
                for (int r = 0; r < repeats; r++) {
                    timer.start();
                    Head head = Head.train(data, train, y, config, null, ENCODER);
                    timer.stop(r);
                    note = String.format(Locale.ROOT, "%d epochs, %d steps, held-out accuracy %.3f",
                            head.training().epochs(), head.training().steps(), accuracy(head, data, testRows));
                    if (n == 5_000 && fiveK == null) {
                        fiveK = head;
                    } else {
                        head.close();
                    }
                }
                rows.add(report(log, timer.row("train MLP, cold, defaults", n, note)));
            }

            // 10 new labels, one of them a class the 5k head has never seen
            int[] train = range(0, 5_010);
            List<String> grown = new ArrayList<>(data.labels());
            grown.add("new-class");
            int[] classOf = new int[train.length];
            for (int i = 0; i < train.length; i++) {
                classOf[i] = i >= 5_005 ? CLUSTERS : data.clusterOf(train[i]);
            }
            Targets y = Targets.singleLabel(grown, classOf);
            Timer timer = new Timer(repeats);
            String note = "";
            for (int r = 0; r < repeats; r++) {
                timer.start();
                try (Head head = Head.train(data, train, y, config, fiveK, ENCODER)) {
                    timer.stop(r);
                    note = String.format(Locale.ROOT, "%d epochs, %d steps, held-out accuracy %.3f",
                            head.training().epochs(), head.training().steps(), accuracy(head, data, testRows));
                }
            }
            rows.add(report(log, timer.row("warm retrain, +10 labels (1 new class)", train.length, note)));

            int[] pool = range(0, 100_000);
            rows.addAll(scoring(fiveK, data, pool, repeats, log, true));
            if (millionRow) {
                Vectors million = new Repeated(data, 100_000, 1_000_000);
                rows.addAll(scoring(fiveK, million, range(0, 1_000_000), Math.min(repeats, 2), log, false));
            }
        } finally {
            if (fiveK != null) {
                fiveK.close();
            }
        }
        return rows;
    }

    private static List<Row> scoring(Head head, Vectors x, int[] pool, int repeats, Consumer<String> log,
                                     boolean withMeans) {
        List<Row> rows = new ArrayList<>();
        Timer timer = new Timer(repeats);
        for (int r = 0; r < repeats; r++) {
            timer.start();
            head.probabilities(x, pool);
            timer.stop(r);
        }
        rows.add(report(log, timer.row("probabilities (150 classes)", pool.length, "")));
        timer = new Timer(repeats);
        for (int r = 0; r < repeats; r++) {
            timer.start();
            head.mcDropout(x, pool, Head.DEFAULT_PASSES, 11L + r, withMeans);
            timer.stop(r);
        }
        rows.add(report(log, timer.row("MC dropout, 20 passes", pool.length,
                (withMeans ? "with mean probabilities" : "scalar statistics only") + ", peak RSS " + peakRssMiB()
                        + " MiB")));
        timer = new Timer(repeats);
        for (int r = 0; r < repeats; r++) {
            timer.start();
            head.expectedGradientLength(x, pool);
            timer.stop(r);
        }
        rows.add(report(log, timer.row("expected gradient length", pool.length, "")));
        return rows;
    }

    /** Wall and process CPU time of repeated runs. */
    private static final class Timer {

        private final double[] wall;
        private final double[] cpu;
        private long wallStart;
        private long cpuStart;

        Timer(int repeats) {
            wall = new double[repeats];
            cpu = new double[repeats];
        }

        void start() {
            wallStart = System.nanoTime();
            cpuStart = processCpuNanos();
        }

        void stop(int run) {
            wall[run] = (System.nanoTime() - wallStart) / 1e9;
            cpu[run] = (processCpuNanos() - cpuStart) / 1e9;
        }

        Row row(String task, int rows, String note) {
            return new Row(task, rows, median(wall), wall.clone(), median(cpu), note);
        }
    }

    /** CPU time of the whole process (native threads included), or 0 where the JVM cannot tell. */
    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    public static String table(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT,
                "Heads on synthetic embeddings (%d clusters, %d-d, normalised), %d cores, load average %s%n", CLUSTERS,
                DIMENSION, Runtime.getRuntime().availableProcessors(), loadAverage()));
        out.append(String.format(Locale.ROOT, "%-40s %10s %9s %8s  %-24s %s%n", "task", "rows", "median s", "cpu s",
                "runs (wall s)", "note"));
        for (Row r : rows) {
            StringBuilder runs = new StringBuilder();
            for (double s : r.runs()) {
                runs.append(runs.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", s));
            }
            out.append(String.format(Locale.ROOT, "%-40s %,10d %9.2f %8.2f  %-24s %s%n", r.task(), r.rows(),
                    r.medianSeconds(), r.medianCpuSeconds(), runs, r.note()));
        }
        return out.toString();
    }

    private static Row report(Consumer<String> log, Row row) {
        log.accept(String.format(Locale.ROOT, "%s, %,d rows: %.2f s (cpu %.2f s) %s", row.task(), row.rows(),
                row.medianSeconds(), row.medianCpuSeconds(), row.note()));
        return row;
    }

    private static double accuracy(Head head, Synthetic data, int[] rows) {
        int[][] predicted = head.predict(data, rows);
        int right = 0;
        for (int i = 0; i < rows.length; i++) {
            if (predicted[i][0] == data.clusterOf(rows[i])) {
                right++;
            }
        }
        return (double) right / rows.length;
    }

    /** The 1, 5 and 15 minute load averages (Linux), or "?": other work on the machine skews timings. */
    static String loadAverage() {
        try {
            String[] fields = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "?";
        }
    }

    /** Peak resident set size of the process so far (Linux), or -1. */
    static long peakRssMiB() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").trim()) / 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static int[] range(int from, int to) {
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = from + i;
        }
        return rows;
    }

    /** Seeded clustered embeddings: row i belongs to cluster i mod 150 (so any prefix is balanced). */
    static final class Synthetic implements Vectors {

        private final float[][] rows;

        Synthetic(int size, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            float[][] centres = new float[CLUSTERS][];
            for (int k = 0; k < CLUSTERS; k++) {
                centres[k] = normalised(gaussian(random, 1.0));
            }
            double noise = NOISE / Math.sqrt(DIMENSION);
            rows = new float[size][];
            for (int i = 0; i < size; i++) {
                float[] v = gaussian(random, noise);
                float[] c = centres[i % CLUSTERS];
                for (int d = 0; d < DIMENSION; d++) {
                    v[d] += c[d];
                }
                rows[i] = normalised(v);
            }
        }

        int clusterOf(int row) {
            return row % CLUSTERS;
        }

        List<String> labels() {
            List<String> labels = new ArrayList<>(CLUSTERS);
            for (int k = 0; k < CLUSTERS; k++) {
                labels.add("cluster-" + k);
            }
            return labels;
        }

        Targets targets(int[] rowIds) {
            int[] classOf = new int[rowIds.length];
            for (int i = 0; i < rowIds.length; i++) {
                classOf[i] = clusterOf(rowIds[i]);
            }
            return Targets.singleLabel(labels(), classOf);
        }

        @Override
        public int size() {
            return rows.length;
        }

        @Override
        public int dimension() {
            return DIMENSION;
        }

        @Override
        public float[] row(int i) {
            return rows[i];
        }

        private static float[] gaussian(SplittableRandom random, double std) {
            float[] v = new float[DIMENSION];
            for (int d = 0; d < DIMENSION; d += 2) {
                // Box-Muller gives two independent normals per pair of uniforms
                double u = random.nextDouble();
                double w = random.nextDouble();
                double r = Math.sqrt(-2 * Math.log1p(-u)) * std;
                v[d] = (float) (r * Math.cos(2 * Math.PI * w));
                if (d + 1 < DIMENSION) {
                    v[d + 1] = (float) (r * Math.sin(2 * Math.PI * w));
                }
            }
            return v;
        }

        private static float[] normalised(float[] v) {
            double norm = 0;
            for (float value : v) {
                norm += (double) value * value;
            }
            float scale = (float) (1 / Math.sqrt(norm));
            for (int d = 0; d < v.length; d++) {
                v[d] *= scale;
            }
            return v;
        }
    }

    /** A large pool without the memory: row i is row (i mod base) of the underlying vectors. */
    static final class Repeated implements Vectors {

        private final Vectors base;
        private final int baseRows;
        private final int size;

        Repeated(Vectors base, int baseRows, int size) {
            this.base = base;
            this.baseRows = baseRows;
            this.size = size;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public int dimension() {
            return base.dimension();
        }

        @Override
        public float[] row(int i) {
            return base.row(i % baseRows);
        }
    }
}
