package quarry.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import quarry.core.Classifier;
import quarry.core.NeighbourIndex;
import quarry.core.Sampling;
import quarry.core.Vectors;

/**
 * Measures one arrival batch (pool rows {@code [first, end)}) against the pool before it (rows
 * {@code [0, first)}), the data the model learned from, and says in words what moved. Every
 * comparison runs on seeded samples of bounded size, so a check costs the same for any pool.
 */
public final class DriftCheck {

    /**
     * Sample sizes and the thresholds at which each signal fires (README, "Upkeep").
     *
     * @param mmdSample        rows per side of the two-sample test
     * @param permutations     reshuffles behind each p-value
     * @param predictSample    rows per side whose predictions are compared
     * @param regionSample     batch rows searched for novel regions
     * @param alpha            a test fires below this p-value
     * @param lowConfidence    a prediction is low-confidence below this top probability
     * @param lowConfidenceRise the low-confidence share fires when it rose by at least this much
     *                         (and by 3 standard errors)
     * @param farQuantile      a row is far from the labeled data when its nearest labeled cosine is
     *                         below this quantile of the pool's
     * @param neighbours       neighbours looked at per row
     * @param arrivalShare     a novel row has at least this share of arrivals among its neighbours
     * @param minRegion        a region needs this many rows (or 2% of the sample, if more)
     */
    public record Settings(int mmdSample, int permutations, int predictSample, int regionSample, double alpha,
            double lowConfidence, double lowConfidenceRise, double farQuantile, int neighbours, double arrivalShare,
            int minRegion) {

        public static final Settings DEFAULTS = new Settings(300, 200, 2000, 1000, 0.01, 0.5, 0.05, 0.05, 10, 0.5, 5);

        public Settings {
            if (mmdSample < 2 || permutations < 1 || predictSample < 1 || regionSample < 1 || neighbours < 1
                    || minRegion < 1 || !(alpha > 0 && alpha < 1) || !(lowConfidence > 0 && lowConfidence <= 1)
                    || !(farQuantile >= 0 && farQuantile <= 1) || !(arrivalShare >= 0 && arrivalShare <= 1)) {
                throw new IllegalArgumentException("drift settings out of range: " + this);
            }
        }
    }

    /** One signal: its measure, whether it fired, and the sentence that says so. */
    public record Signal(String name, double value, boolean fired, String words) {
    }

    /** A candidate new intent: its size and a few example texts. */
    public record Region(int documents, double similarityToLabeled, List<Integer> exampleRows, List<String> examples) {
    }

    /**
     * The report of one batch.
     *
     * @param mmd             two-sample test of the embeddings (null when either side is too small)
     * @param lowBefore       low-confidence share of the pool before (NaN without a model)
     * @param lowAfter        low-confidence share of the batch (NaN without a model)
     * @param labelShift      movement of the predicted labels (null without a model)
     * @param movedLabels     names of the labels that moved most, parallel to labelShift.moved()
     * @param regions         dense groups without a labeled neighbour, largest first
     */
    public record Report(int documents, Drift.TwoSample mmd, double lowBefore, double lowAfter,
            Drift.LabelShift labelShift, List<String> movedLabels, List<Region> regions, List<Signal> signals,
            String summary) {

        public boolean drifted() {
            return signals.stream().anyMatch(Signal::fired);
        }

        public boolean fired(String signal) {
            return signals.stream().anyMatch(s -> s.name().equals(signal) && s.fired());
        }
    }

    public static final String EMBEDDING = "embedding";
    public static final String LOW_CONFIDENCE = "low-confidence";
    public static final String LABELS = "labels";
    public static final String NEW_REGIONS = "new-regions";

    private DriftCheck() {
    }

    /**
     * The report of batch rows {@code [first, end)} of {@code pool}.
     *
     * @param head    the current model, or null (the prediction signals are then skipped)
     * @param index   the pool's neighbour index holding the batch, or null (no regions)
     * @param labeled labeled pool rows
     * @param text    a pool row's text, for the examples
     */
    public static Report check(Vectors pool, int first, int end, Classifier head, NeighbourIndex index, int[] labeled,
            IntFunction<String> text, Settings s, long seed) {
        if (first < 0 || end <= first || end > pool.size()) {
            throw new IllegalArgumentException("batch rows [" + first + ", " + end + ") outside the pool of "
                    + pool.size());
        }
        return check(pool, IntStream.range(0, first).toArray(), IntStream.range(first, end).toArray(), head, index,
                labeled, text, row -> row >= first, s, seed);
    }

    /**
     * The report of batch rows {@code batch} against pool rows {@code before}.
     *
     * @param arrival whether a pool row arrived with this batch or after the data the model knows
     *                (what a novel row's neighbours mostly are)
     */
    public static Report check(Vectors pool, int[] beforeRows, int[] batchRows, Classifier head, NeighbourIndex index,
            int[] labeled, IntFunction<String> text, IntPredicate arrival, Settings s, long seed) {
        if (batchRows.length == 0) {
            throw new IllegalArgumentException("an arrival batch needs documents");
        }
        int[] before = Sampling.sample(beforeRows, Math.max(s.predictSample(), s.mmdSample()), seed);
        int[] batch = Sampling.sample(batchRows, Math.max(s.predictSample(), s.regionSample()), seed + 1);
        java.util.Set<Integer> isLabeled = new java.util.HashSet<>();
        Arrays.stream(labeled).forEach(isLabeled::add);
        int documents = batchRows.length;
        List<Signal> signals = new ArrayList<>();
        Drift.TwoSample mmd = null;
        if (before.length >= 2 && batch.length >= 2) {
            mmd = Drift.mmd(pool.rows(head(before, s.mmdSample())), pool.rows(head(batch, s.mmdSample())),
                    s.permutations(), seed + 2);
            boolean fired = mmd.pValue() < s.alpha();
            signals.add(new Signal(EMBEDDING, mmd.mmd2(), fired, fired
                    ? String.format(Locale.ROOT, "this batch does not look like the data the model knows (MMD² %.4f,"
                            + " p = %.3f)", mmd.mmd2(), mmd.pValue())
                    : String.format(Locale.ROOT, "this batch looks like the data the model knows (MMD² %.4f, p = %.2f)",
                            mmd.mmd2(), mmd.pValue())));
        }
        double lowBefore = Double.NaN;
        double lowAfter = Double.NaN;
        Drift.LabelShift shift = null;
        List<String> moved = List.of();
        // The model is sure of what it was trained on: predictions compare unlabeled documents only.
        int[] unlabeledBefore = Arrays.stream(before).filter(r -> !isLabeled.contains(r)).toArray();
        int[] unlabeledBatch = Arrays.stream(batch).filter(r -> !isLabeled.contains(r)).toArray();
        if (head != null && unlabeledBefore.length > 0 && unlabeledBatch.length > 0) {
            int[] b = head(unlabeledBefore, s.predictSample());
            int[] a = head(unlabeledBatch, s.predictSample());
            float[][] pb = head.probabilities(pool, b);
            float[][] pa = head.probabilities(pool, a);
            lowBefore = Drift.lowConfidenceShare(top(pb), s.lowConfidence());
            lowAfter = Drift.lowConfidenceShare(top(pa), s.lowConfidence());
            double z = Drift.proportionZ(lowBefore, b.length, lowAfter, a.length);
            boolean fired = lowAfter - lowBefore >= s.lowConfidenceRise() && z >= 3;
            signals.add(new Signal(LOW_CONFIDENCE, lowAfter, fired, String.format(Locale.ROOT,
                    "%s of its predictions are low-confidence (top probability below %.2f), %s %s before",
                    percent(lowAfter), s.lowConfidence(), lowAfter > lowBefore ? "up from" : lowAfter < lowBefore
                            ? "down from" : "as", percent(lowBefore))));
            List<String> names = head.labels();
            shift = Drift.labelShift(argmax(pb), argmax(pa), names.size(), 3, s.permutations(), seed + 3);
            moved = shift.moved().stream().map(m -> names.get(m.label())).toList();
            boolean shifted = shift.pValue() < s.alpha();
            StringBuilder w = new StringBuilder(String.format(Locale.ROOT, "predicted labels %s (total variation %.2f,"
                    + " p = %.3f)", shifted ? "moved" : "are spread as before", shift.tvd(), shift.pValue()));
            if (shifted && !shift.moved().isEmpty()) {
                w.append("; most moved: ");
                for (int i = 0; i < shift.moved().size(); i++) {
                    Drift.Moved m = shift.moved().get(i);
                    w.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%s %s → %s", names.get(m.label()),
                            percent(m.before()), percent(m.after())));
                }
            }
            signals.add(new Signal(LABELS, shift.tvd(), shifted, w.toString()));
        }
        List<Region> regions = new ArrayList<>();
        if (index != null && labeled.length > 0 && before.length > 0) {
            int[] rows = head(batch, s.regionSample());
            float[][] labeledVectors = pool.rows(labeled);
            // the pool's own distances to its labels, the labeled rows left out (theirs is 1)
            int[] reference = head(unlabeledBefore, s.mmdSample());
            float[] refNearest = Drift.nearestSimilarity(pool.rows(reference.length > 0 ? reference
                    : head(before, s.mmdSample())), labeledVectors);
            double far = Drift.quantile(refNearest, s.farQuantile());
            float[] nearest = Drift.nearestSimilarity(pool.rows(rows), labeledVectors);
            int minSize = Math.max(s.minRegion(), (int) Math.ceil(0.02 * rows.length));
            for (Drift.Region r : Drift.novelRegions(rows, nearest, far, arrival, index, s.neighbours(),
                    s.arrivalShare(), minSize)) {
                // scaled from the sample to the whole batch
                int size = (int) Math.round((double) r.size() * documents / rows.length);
                List<Integer> examples = Arrays.stream(r.rows()).limit(3).boxed().toList();
                regions.add(new Region(size, r.meanSimilarityToLabeled(), examples,
                        examples.stream().map(text::apply).toList()));
            }
            boolean fired = !regions.isEmpty();
            String words;
            if (fired) {
                Region big = regions.get(0);
                words = String.format(Locale.ROOT, "%s of about %d documents %s no labeled neighbour, e.g. \"%s\"",
                        regions.size() == 1 ? "a dense group" : regions.size() + " dense groups; the largest",
                        big.documents(), regions.size() == 1 ? "has" : "has", shorten(big.examples().get(0)));
            } else {
                words = "no dense group of new documents lacks a labeled neighbour";
            }
            signals.add(new Signal(NEW_REGIONS, regions.stream().mapToInt(Region::documents).sum(), fired, words));
        }
        String summary = summary(before.length, signals);
        return new Report(documents, mmd, lowBefore, lowAfter, shift, moved, List.copyOf(regions),
                List.copyOf(signals), summary);
    }

    private static String summary(int before, List<Signal> signals) {
        if (before == 0) {
            return "the first documents: the baseline later batches are compared with";
        }
        if (signals.isEmpty()) {
            return "too few documents before this batch to compare with";
        }
        long fired = signals.stream().filter(Signal::fired).count();
        return fired == 0 ? "this batch looks like the data the model knows"
                : fired + " of " + signals.size() + " drift signals fired: label from the upkeep queue";
    }

    private static String shorten(String text) {
        String t = text == null ? "" : text.replaceAll("\\s+", " ").strip();
        return t.length() <= 80 ? t : t.substring(0, 77) + "...";
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * share);
    }

    private static int[] head(int[] rows, int n) {
        return Arrays.copyOf(rows, Math.min(n, rows.length));
    }

    private static float[] top(float[][] p) {
        float[] top = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            for (float v : p[i]) {
                top[i] = Math.max(top[i], v);
            }
        }
        return top;
    }

    private static int[] argmax(float[][] p) {
        int[] best = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            for (int c = 1; c < p[i].length; c++) {
                best[i] = p[i][c] > p[i][best[i]] ? c : best[i];
            }
        }
        return best;
    }
}
