package quarry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import quarry.bench.LiveResult.Data;
import quarry.bench.LiveResult.Version;
import quarry.model.Head;
import quarry.query.Uncertainty;

/**
 * Scores every model version the server saved against truth it never saw: test accuracy, the
 * true accuracy on the pool still unlabeled at that version, and what the version's report
 * claimed (cross-validated and pool accuracy estimates, the safe-to-accept threshold).
 */
final class LiveEvaluation {

    private LiveEvaluation() {
    }

    /**
     * @param modelsDir  the project's {@code models} folder, one {@code v<N>} folder per version
     * @param versions   {@code GET …/model/versions}: version, labelsUsed and report of each
     * @param labelOrder pool rows in the order their labels were stored (imported ones first)
     */
    static List<Version> score(Data data, Path modelsDir, JsonNode versions, int[] labelOrder) {
        List<Version> out = new ArrayList<>();
        int[] poolRows = allRows(data.poolVectors().size());
        int[] testRows = allRows(data.testVectors().size());
        for (JsonNode v : versions) {
            int version = v.get("version").asInt();
            int labelsUsed = v.get("labelsUsed").asInt();
            float[][] test;
            float[][] pool;
            try (Head head = Head.load(modelsDir.resolve("v" + version))) {
                if (!head.labels().equals(data.schema())) {
                    throw new IllegalStateException("model v" + version + " has labels " + head.labels()
                            + ", not the project's schema");
                }
                test = head.probabilities(data.testVectors(), testRows);
                pool = head.probabilities(data.poolVectors(), poolRows);
            }
            boolean[] labeled = new boolean[poolRows.length];
            for (int i = 0; i < Math.min(labelsUsed, labelOrder.length); i++) {
                labeled[labelOrder[i]] = true;
            }
            int unlabeled = 0;
            int right = 0;
            for (int row : poolRows) {
                if (!labeled[row]) {
                    unlabeled++;
                    right += Uncertainty.argmax(pool[row]) == data.poolClass()[row] ? 1 : 0;
                }
            }
            JsonNode report = v.path("report");
            JsonNode estimate = report.path("poolEstimate");
            JsonNode safe = report.path("safeToAccept");
            boolean found = safe.path("found").asBoolean(false);
            // Without a threshold the report's threshold and precision mean nothing, whatever it holds.
            double threshold = found ? number(safe, "threshold") : Double.NaN;
            double[] truth = found ? acceptedTruth(pool, labeled, data.poolClass(), threshold)
                    : new double[] {Double.NaN, Double.NaN};
            out.add(new Version(version, labelsUsed, accuracy(test, data.testClass()), unlabeled,
                    unlabeled == 0 ? Double.NaN : right / (double) unlabeled, number(report, "estimatedAccuracy"),
                    number(estimate, "accuracy"), number(estimate, "low"), number(estimate, "high"), found, threshold,
                    found ? number(safe, "precision") : Double.NaN, number(safe, "poolShare"), truth[0], truth[1]));
        }
        return out;
    }

    /** True precision and share of the unlabeled rows whose top probability reaches {@code threshold}. */
    private static double[] acceptedTruth(float[][] pool, boolean[] labeled, int[] gold, double threshold) {
        int unlabeled = 0;
        int accepted = 0;
        int right = 0;
        for (int row = 0; row < pool.length; row++) {
            if (labeled[row]) {
                continue;
            }
            unlabeled++;
            int best = Uncertainty.argmax(pool[row]);
            if (pool[row][best] >= threshold) {
                accepted++;
                right += best == gold[row] ? 1 : 0;
            }
        }
        return new double[] {accepted == 0 ? Double.NaN : right / (double) accepted,
            unlabeled == 0 ? Double.NaN : accepted / (double) unlabeled};
    }

    private static double accuracy(float[][] probabilities, int[] gold) {
        int right = 0;
        for (int i = 0; i < gold.length; i++) {
            right += Uncertainty.argmax(probabilities[i]) == gold[i] ? 1 : 0;
        }
        return gold.length == 0 ? Double.NaN : right / (double) gold.length;
    }

    /** A report field read leniently: NaN when missing, null or not a number (fields are still being added). */
    private static double number(JsonNode node, String field) {
        JsonNode n = node.path(field);
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }

    private static int[] allRows(int n) {
        int[] rows = new int[n];
        Arrays.setAll(rows, i -> i);
        return rows;
    }
}
