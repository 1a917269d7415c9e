package quarry.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;

/**
 * A learning curve: a score (test accuracy, macro-F1, …) against the number of labels used, and the
 * arithmetic a label-efficiency table needs: how many labels a strategy takes to reach a target, and
 * how many times fewer than random sampling.
 *
 * <p>Points are kept sorted by label count; two points at the same count, or a NaN / infinite
 * score, are rejected (drop rounds that were not evaluated before building the curve).
 */
public final class LearningCurve {

    /** Default tolerance of {@link #flattenedIndex()}: 1% of the final score. */
    public static final double FLAT_TOLERANCE = 0.01;

    /**
     * @param labels how many labels the model was trained on
     * @param score  its score, e.g. test accuracy in [0, 1]
     */
    public record Point(int labels, double score) {
        public Point {
            if (labels < 0) {
                throw new IllegalArgumentException("labels must be >= 0, got " + labels);
            }
            if (!Double.isFinite(score)) {
                throw new IllegalArgumentException("score at " + labels + " labels is " + score);
            }
        }
    }

    private final List<Point> points;

    public LearningCurve(List<Point> points) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a learning curve needs at least one point");
        }
        List<Point> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingInt(Point::labels));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).labels() == sorted.get(i - 1).labels()) {
                throw new IllegalArgumentException("two points at " + sorted.get(i).labels() + " labels");
            }
        }
        this.points = List.copyOf(sorted);
    }

    public static LearningCurve of(int[] labels, double[] scores) {
        if (labels.length != scores.length) {
            throw new IllegalArgumentException(labels.length + " label counts but " + scores.length + " scores");
        }
        List<Point> points = new ArrayList<>(labels.length);
        for (int i = 0; i < labels.length; i++) {
            points.add(new Point(labels[i], scores[i]));
        }
        return new LearningCurve(points);
    }

    /** The points, by label count. */
    public List<Point> points() {
        return points;
    }

    public int size() {
        return points.size();
    }

    /** The score of the last point (the most labels). */
    public double finalScore() {
        return points.get(points.size() - 1).score();
    }

    /**
     * Labels needed to reach {@code target}, by linear interpolation between the first two
     * consecutive points that straddle it (score<sub>i</sub> &lt; target ≤ score<sub>i+1</sub>).
     * Later dips below the target are ignored: the first crossing counts. When the first point is
     * already at or above the target, its label count is returned (the curve cannot say how much
     * earlier it was reached). Not rounded: round up for a table of whole labels.
     *
     * @return empty when the curve never reaches the target
     */
    public OptionalDouble labelsToReach(double target) {
        if (!Double.isFinite(target)) {
            throw new IllegalArgumentException("target must be finite, got " + target);
        }
        Point first = points.get(0);
        if (first.score() >= target) {
            return OptionalDouble.of(first.labels());
        }
        for (int i = 0; i + 1 < points.size(); i++) {
            Point a = points.get(i);
            Point b = points.get(i + 1);
            if (a.score() < target && b.score() >= target) {
                double t = (target - a.score()) / (b.score() - a.score());
                return OptionalDouble.of(a.labels() + t * (b.labels() - a.labels()));
            }
        }
        return OptionalDouble.empty();
    }

    /**
     * Labels needed to reach {@code share} of a full-data score, e.g. {@code (0.95, 0.9533)} for 95%
     * of the full-data accuracy.
     */
    public OptionalDouble labelsToReachShare(double share, double fullDataScore) {
        if (!(share > 0) || !Double.isFinite(share)) {
            throw new IllegalArgumentException("share must be > 0, got " + share);
        }
        return labelsToReach(share * fullDataScore);
    }

    /**
     * The score at {@code labels} by linear interpolation between neighbouring points; NaN outside
     * the curve's range of label counts.
     */
    public double scoreAt(double labels) {
        Point first = points.get(0);
        Point last = points.get(points.size() - 1);
        if (labels < first.labels() || labels > last.labels() || Double.isNaN(labels)) {
            return Double.NaN;
        }
        for (int i = 0; i + 1 < points.size(); i++) {
            Point a = points.get(i);
            Point b = points.get(i + 1);
            if (labels <= b.labels()) {
                double t = (labels - a.labels()) / (b.labels() - a.labels());
                return a.score() + t * (b.score() - a.score());
            }
        }
        return last.score();
    }

    /**
     * Where the curve really flattened: the index of the first point after which no later point
     * gains more than {@code tolerance × final score} over it, i.e. the first i with
     * score<sub>j</sub> − score<sub>i</sub> ≤ tolerance · score<sub>last</sub> for every j &gt; i.
     * Always defined (the last point qualifies). This is the reference against which a stopping
     * criterion's firing round is judged: firing before it stops too early, long after it wastes
     * labels.
     */
    public int flattenedIndex(double tolerance) {
        double[] scores = new double[points.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = points.get(i).score();
        }
        return flattenedIndex(scores, tolerance);
    }

    /** {@link #flattenedIndex(double)} with a tolerance of 1% of the final score. */
    public int flattenedIndex() {
        return flattenedIndex(FLAT_TOLERANCE);
    }

    /** Label count of the point where the curve flattened (see {@link #flattenedIndex(double)}). */
    public int flattenedLabels(double tolerance) {
        return points.get(flattenedIndex(tolerance)).labels();
    }

    /**
     * {@link #flattenedIndex(double)} on scores listed in order (one per round), for callers that
     * index by round rather than by label count.
     */
    public static int flattenedIndex(double[] scores, double tolerance) {
        if (scores.length == 0) {
            throw new IllegalArgumentException("no scores");
        }
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
        }
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is " + scores[i]);
            }
        }
        double allowed = tolerance * scores[scores.length - 1];
        // laterBest[i] = the highest score after index i
        double[] laterBest = new double[scores.length];
        laterBest[scores.length - 1] = Double.NEGATIVE_INFINITY;
        for (int i = scores.length - 2; i >= 0; i--) {
            laterBest[i] = Math.max(laterBest[i + 1], scores[i + 1]);
        }
        for (int i = 0; i < scores.length; i++) {
            if (laterBest[i] - scores[i] <= allowed) {
                return i;
            }
        }
        return scores.length - 1; // unreachable: the last point always qualifies
    }

    /**
     * The mean of several curves (e.g. one per seed) measured at the same label counts.
     *
     * @throws IllegalArgumentException when the curves' label counts differ
     */
    public static LearningCurve mean(List<LearningCurve> curves) {
        if (curves.isEmpty()) {
            throw new IllegalArgumentException("no curves to average");
        }
        LearningCurve first = curves.get(0);
        List<Point> mean = new ArrayList<>(first.size());
        for (int i = 0; i < first.size(); i++) {
            int labels = first.points.get(i).labels();
            double sum = 0;
            for (LearningCurve c : curves) {
                if (c.size() != first.size() || c.points.get(i).labels() != labels) {
                    throw new IllegalArgumentException("curves are measured at different label counts: "
                            + first.labelCounts() + " and " + c.labelCounts());
                }
                sum += c.points.get(i).score();
            }
            mean.add(new Point(labels, sum / curves.size()));
        }
        return new LearningCurve(mean);
    }

    /**
     * How many times fewer labels a strategy needs than random sampling: random ÷ strategy
     * (2.0 = "2× fewer labels", i.e. 50% saved). NaN when either is NaN or the strategy's count is
     * not positive.
     */
    public static double timesFewer(double randomLabels, double strategyLabels) {
        if (Double.isNaN(randomLabels) || Double.isNaN(strategyLabels) || !(strategyLabels > 0)) {
            return Double.NaN;
        }
        return randomLabels / strategyLabels;
    }

    /** {@link #timesFewer(double, double)} on results of {@link #labelsToReach}; empty if either is. */
    public static OptionalDouble timesFewer(OptionalDouble randomLabels, OptionalDouble strategyLabels) {
        if (randomLabels.isEmpty() || strategyLabels.isEmpty()) {
            return OptionalDouble.empty();
        }
        double ratio = timesFewer(randomLabels.getAsDouble(), strategyLabels.getAsDouble());
        return Double.isNaN(ratio) ? OptionalDouble.empty() : OptionalDouble.of(ratio);
    }

    /** Share of labels saved against random: 1 − strategy ÷ random (0.5 = "50% fewer labels"). */
    public static double labelsSaved(double randomLabels, double strategyLabels) {
        if (Double.isNaN(randomLabels) || Double.isNaN(strategyLabels) || !(randomLabels > 0)) {
            return Double.NaN;
        }
        return 1 - strategyLabels / randomLabels;
    }

    private List<Integer> labelCounts() {
        return points.stream().map(Point::labels).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LearningCurve other && points.equals(other.points);
    }

    @Override
    public int hashCode() {
        return points.hashCode();
    }

    @Override
    public String toString() {
        return "LearningCurve" + points;
    }
}
