package quarry.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.DoubleStream;
import quarry.bench.LiveResult.Repeat;
import quarry.bench.LiveResult.Sample;
import quarry.bench.LiveResult.Served;
import quarry.bench.LiveResult.Version;
import quarry.eval.LearningCurve;
import quarry.loop.Simulation;

/** The figures {@code bench live} reports, per repeat and as means, and their markdown tables. */
final class LiveReport {

    /**
     * One checkpoint of one repeat (or the mean over repeats): each value is linearly interpolated
     * between the versions (rounds) around that many labels; NaN where there is none.
     *
     * @param serving   labels the model serving at the moment the team reached {@code labels} was trained
     *                  on (monitor); the live curve's label axis counts labels seen, not served
     * @param unlabeled the true accuracy on the pool still unlabeled
     * @param cvError   the cross-validated estimate minus {@code unlabeled}
     * @param poolError the pool estimate minus {@code unlabeled}
     */
    record Point(int labels, double live, double serving, double margin, double random, double cv, double pool, double poolLow,
            double poolHigh, double unlabeled, double cvError, double poolError) {
    }

    /**
     * How the server handed items out in one repeat.
     *
     * @param strategies   share of served items per {@code why.strategy}
     * @param inPoolOrder  served items whose row follows the previous served item's row
     * @param staleMedian  median of the monitor's {@code rankingStaleBy} (labels), NaN when never ranked
     */
    record Serving(double labelsPerSecond, int versions, int served, Map<String, Double> strategies, int inPoolOrder,
            int fallback, double staleMedian, double staleMax, int leaseConflicts) {
    }

    /** A repeat's figures. */
    record Summary(int repeat, List<Point> points, Serving serving) {
    }

    private LiveReport() {
    }

    static Summary summarize(Repeat r, int[] checkpoints) {
        List<Point> points = new ArrayList<>();
        List<Version> vs = r.versions();
        for (int c : checkpoints) {
            points.add(new Point(c, at(vs, Version::testAccuracy, c), servingAt(r, c), at(r.margin(), c),
                    at(r.random(), c),
                    at(vs, Version::cvEstimate, c), at(vs, Version::poolEstimate, c), at(vs, Version::poolLow, c),
                    at(vs, Version::poolHigh, c), at(vs, Version::unlabeledAccuracy, c),
                    at(vs, v -> v.cvEstimate() - v.unlabeledAccuracy(), c),
                    at(vs, v -> v.poolEstimate() - v.unlabeledAccuracy(), c)));
        }
        List<Served> served = r.trace().served();
        Map<String, Double> strategies = new TreeMap<>();
        // Pool order is what a fallback that walks the file would serve: each fallback item the row
        // after the previous fallback item. (Ranked items next to each other by chance are not.)
        int inOrder = 0;
        int lastFallback = -2;
        for (Served s : served) {
            strategies.merge(s.strategy(), 1.0 / served.size(), Double::sum);
            if (s.strategy().equals("fallback")) {
                inOrder += s.row() == lastFallback + 1 ? 1 : 0;
                lastFallback = s.row();
            }
        }
        int fallback = (int) served.stream().filter(s -> s.strategy().equals("fallback")).count();
        double[] stale = r.trace().samples().stream().map(Sample::rankingStaleBy)
                .filter(s -> s != null).mapToDouble(Integer::doubleValue).sorted().toArray();
        double median = stale.length == 0 ? Double.NaN
                : (stale[(stale.length - 1) / 2] + stale[stale.length / 2]) / 2;
        double max = stale.length == 0 ? Double.NaN : stale[stale.length - 1];
        Serving serving = new Serving(r.trace().acks().size() / r.trace().seconds(), vs.size(), served.size(),
                strategies, inOrder, fallback, median, max, r.trace().leaseConflicts());
        return new Summary(r.repeat(), points, serving);
    }

    /** Each figure's mean over repeats, of the repeats that have it. */
    static List<Point> mean(List<Summary> summaries) {
        List<Point> out = new ArrayList<>();
        for (int i = 0; i < summaries.get(0).points().size(); i++) {
            int k = i;
            ToDoubleFunction<ToDoubleFunction<Point>> m = f -> mean(summaries.stream()
                    .mapToDouble(s -> f.applyAsDouble(s.points().get(k))));
            out.add(new Point(summaries.get(0).points().get(i).labels(), m.applyAsDouble(Point::live),
                    m.applyAsDouble(Point::serving), m.applyAsDouble(Point::margin), m.applyAsDouble(Point::random), m.applyAsDouble(Point::cv),
                    m.applyAsDouble(Point::pool), m.applyAsDouble(Point::poolLow), m.applyAsDouble(Point::poolHigh),
                    m.applyAsDouble(Point::unlabeled), m.applyAsDouble(Point::cvError),
                    m.applyAsDouble(Point::poolError)));
        }
        return out;
    }

    /** The markdown tables, after {@code heading}. */
    static List<String> markdown(String heading, List<Repeat> repeats, List<Summary> summaries, boolean baseline) {
        boolean several = summaries.size() > 1;
        List<Point> mean = mean(summaries);
        List<String> md = new ArrayList<>(List.of(heading, ""));
        md.add("Test accuracy at each label count (live: interpolated between the server's model versions by the"
                + " labels each was trained on; serving model's labels: what the model serving when the team reached"
                + " that count had seen, 0 = none yet; simulate: the simulator's rounds, batch 50, on the same pool and"
                + " test vectors):");
        md.add("");
        md.add("| labels | repeat | live % | serving model's labels |" + (baseline
                ? " simulate margin % | simulate random % | live − margin | live − random |" : ""));
        md.add(baseline ? "|---|---|---|---|---|---|---|---|" : "|---|---|---|---|");
        for (int i = 0; i < mean.size(); i++) {
            for (Summary s : summaries) {
                md.add(curveRow(s.points().get(i), "r" + s.repeat(), baseline));
            }
            if (several) {
                md.add(curveRow(mean.get(i), "mean", baseline));
            }
        }
        md.add("");
        md.add("Serving: labels/s the team achieved, model versions made, share of served items per `why.strategy`,"
                + " fallback items whose row follows the previous fallback item's (pool order; fallback items in all), and how"
                + " many labels the queue's ranking lagged behind (monitor, every 250 ms):");
        md.add("");
        md.add("| repeat | labels/s | versions | served | strategies | in pool order (fallback) | ranking stale by:"
                + " median / max | lease conflicts |");
        md.add("|---|---|---|---|---|---|---|---|");
        for (Summary s : summaries) {
            Serving v = s.serving();
            StringBuilder shares = new StringBuilder();
            v.strategies().forEach((k, share) -> shares.append(shares.length() == 0 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "%s %.0f%%", k, 100 * share)));
            md.add(String.format(Locale.ROOT, "| r%d | %.1f | %d | %d | %s | %d (%d) | %s / %s | %d |", s.repeat(),
                    v.labelsPerSecond(), v.versions(), v.served(), shares, v.inPoolOrder(), v.fallback(),
                    number(v.staleMedian()), number(v.staleMax()), v.leaseConflicts()));
        }
        if (several) {
            md.add(String.format(Locale.ROOT, "| mean | %.1f | %.1f | %.0f | | %.1f (%.1f) | %s / %s | %.1f |",
                    mean(summaries, v -> v.labelsPerSecond()), mean(summaries, v -> v.versions()),
                    mean(summaries, v -> v.served()), mean(summaries, v -> v.inPoolOrder()),
                    mean(summaries, v -> v.fallback()), number(mean(summaries, Serving::staleMedian)),
                    number(mean(summaries, Serving::staleMax)), mean(summaries, v -> v.leaseConflicts())));
        }
        md.add("");
        md.add("Accuracy estimates against the truth on the pool still unlabeled at that version (error = estimate −"
                + " truth, in points):");
        md.add("");
        md.add("| labels | repeat | CV estimate % | pool estimate % (low–high) | true unlabeled % | CV error | pool error |");
        md.add("|---|---|---|---|---|---|---|");
        for (int i = 0; i < mean.size(); i++) {
            for (Summary s : summaries) {
                md.add(estimateRow(s.points().get(i), "r" + s.repeat()));
            }
            if (several) {
                md.add(estimateRow(mean.get(i), "mean"));
            }
        }
        md.add("");
        md.addAll(safeToAccept(repeats));
        return md;
    }

    private static List<String> safeToAccept(List<Repeat> repeats) {
        List<String> md = new ArrayList<>();
        md.add("Safe to accept: every version that found a threshold, its claim against the truth on the unlabeled"
                + " pool (predictions whose top probability reaches the threshold):");
        md.add("");
        md.add("| repeat | version | labels | threshold | claimed precision % | true precision % | claimed share % |"
                + " true share % |");
        md.add("|---|---|---|---|---|---|---|---|");
        double worst = Double.NaN;
        String where = "";
        for (Repeat r : repeats) {
            for (Version v : r.versions()) {
                if (!v.safeFound()) {
                    continue;
                }
                md.add(String.format(Locale.ROOT, "| r%d | %d | %d | %.3f | %s | %s | %s | %s |", r.repeat(),
                        v.version(), v.labelsUsed(), v.safeThreshold(), percent(v.claimedPrecision()),
                        percent(v.truePrecision()), percent(v.claimedShare()), percent(v.trueShare())));
                if (!(v.truePrecision() >= worst)) {
                    worst = v.truePrecision();
                    where = String.format(Locale.ROOT, " (r%d, v%d at %d labels)", r.repeat(), v.version(),
                            v.labelsUsed());
                }
            }
        }
        md.add("");
        md.add(Double.isNaN(worst) ? "No version found a safe-to-accept threshold."
                : "Minimum true precision over versions: " + percent(worst) + "%" + where + ".");
        return md;
    }

    private static String curveRow(Point p, String who, boolean baseline) {
        String row = String.format(Locale.ROOT, "| %d | %s | %s | %s |", p.labels(), who, percent(p.live()),
                Double.isFinite(p.serving()) ? String.format(Locale.ROOT, "%.0f", p.serving()) : "–");
        return !baseline ? row : row + String.format(Locale.ROOT, " %s | %s | %s | %s |", percent(p.margin()),
                percent(p.random()), points(p.live() - p.margin()), points(p.live() - p.random()));
    }

    private static String estimateRow(Point p, String who) {
        String pool = !Double.isFinite(p.pool()) ? "–" : String.format(Locale.ROOT, "%s (%s–%s)", percent(p.pool()),
                percent(p.poolLow()), percent(p.poolHigh()));
        return String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s |", p.labels(), who, percent(p.cv()), pool,
                percent(p.unlabeled()), points(p.cvError()), points(p.poolError()));
    }

    /** Labels seen by the model serving when the server first counted {@code labels} labels; NaN if it never did. */
    private static double servingAt(Repeat r, int labels) {
        for (Sample s : r.trace().samples()) {
            if (s.labels() >= labels) {
                return s.version() == 0 ? 0 : r.versions().stream().filter(v -> v.version() == s.version())
                        .mapToDouble(Version::labelsUsed).findFirst().orElse(Double.NaN);
            }
        }
        return Double.NaN;
    }

    /** A version figure at {@code labels}, over the versions that have it; the later one wins a tie. */
    private static double at(List<Version> versions, ToDoubleFunction<Version> figure, int labels) {
        TreeMap<Integer, Double> points = new TreeMap<>();
        for (Version v : versions) {
            double y = figure.applyAsDouble(v);
            if (Double.isFinite(y)) {
                points.put(v.labelsUsed(), y);
            }
        }
        return at(points, labels);
    }

    private static double at(Simulation.Run run, int labels) {
        if (run == null) {
            return Double.NaN;
        }
        TreeMap<Integer, Double> points = new TreeMap<>();
        run.points().forEach(p -> points.put(p.labels(), p.accuracy()));
        return at(points, labels);
    }

    private static double at(TreeMap<Integer, Double> points, int labels) {
        if (points.isEmpty()) {
            return Double.NaN;
        }
        int[] x = points.keySet().stream().mapToInt(Integer::intValue).toArray();
        double[] y = points.values().stream().mapToDouble(Double::doubleValue).toArray();
        return LearningCurve.of(x, y).scoreAt(labels);
    }

    private static double mean(List<Summary> summaries, ToDoubleFunction<Serving> figure) {
        return mean(summaries.stream().mapToDouble(s -> figure.applyAsDouble(s.serving())));
    }

    private static double mean(DoubleStream values) {
        return values.filter(Double::isFinite).average().orElse(Double.NaN);
    }

    private static String percent(double share) {
        return Double.isFinite(share) ? String.format(Locale.ROOT, "%.1f", 100 * share) : "–";
    }

    private static String points(double shareDifference) {
        return Double.isFinite(shareDifference) ? String.format(Locale.ROOT, "%+.1f", 100 * shareDifference) : "–";
    }

    private static String number(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.1f", x) : "–";
    }
}
