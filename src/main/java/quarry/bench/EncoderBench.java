package quarry.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import quarry.encode.Encoder;

/**
 * Sentences per second of several encoders over the same texts, in one process. Each encoder is
 * warmed up, then timed over all texts {@code rounds} times, interleaved with the others so that
 * noise from a shared machine hits all of them alike; the median round counts.
 */
public final class EncoderBench {

    /** One encoder's result: median throughput, all rounds, and process peak RSS after it ran. */
    public record Row(String name, double sentencesPerSecond, double[] rounds, long peakRssMiB, double agreement) {
    }

    private final List<String> texts;
    private final int rounds;
    private final int warmup;

    public EncoderBench(List<String> texts, int rounds, int warmup) {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no texts to benchmark");
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
        }
        this.texts = List.copyOf(texts);
        this.rounds = rounds;
        this.warmup = Math.min(warmup, texts.size());
    }

    /**
     * Times the given encoders (opened here, closed after) and compares each one's vectors to
     * the first one's: {@code agreement} is the smallest cosine between the two for any text.
     */
    public List<Row> run(List<String> names, List<Supplier<Encoder>> encoders, java.util.function.Consumer<String> log) {
        List<Encoder> open = new ArrayList<>();
        try {
            for (Supplier<Encoder> s : encoders) {
                Encoder e = s.get();
                open.add(e);
                e.encode(texts.subList(0, warmup));
            }
            double[][] perRound = new double[open.size()][rounds];
            float[][][] vectors = new float[open.size()][][];
            long[] rss = new long[open.size()];
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < open.size(); i++) {
                    long start = System.nanoTime();
                    vectors[i] = open.get(i).encode(texts);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    perRound[i][r] = texts.size() / seconds;
                    rss[i] = Math.max(rss[i], Memory.peakRssMiB());
                    log.accept(String.format(Locale.ROOT, "round %d  %-45s %8.1f sentences/s", r + 1, names.get(i),
                            perRound[i][r]));
                }
            }
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < open.size(); i++) {
                rows.add(new Row(names.get(i), median(perRound[i]), perRound[i], rss[i],
                        minCosine(vectors[0], vectors[i])));
            }
            return rows;
        } finally {
            open.forEach(Encoder::close);
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double minCosine(float[][] a, float[][] b) {
        double min = 1;
        for (int i = 0; i < a.length; i++) {
            double dot = 0;
            double na = 0;
            double nb = 0;
            for (int d = 0; d < a[i].length; d++) {
                dot += a[i][d] * b[i][d];
                na += a[i][d] * a[i][d];
                nb += b[i][d] * b[i][d];
            }
            min = Math.min(min, dot / Math.sqrt(na * nb));
        }
        return min;
    }
}
