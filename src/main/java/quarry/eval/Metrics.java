package quarry.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Classification metrics on a test split (or on cross-validated predictions).
 *
 * <p><b>Which classes count in a macro average.</b> A class that appears neither in the truth nor in
 * the predictions says nothing about the model (with 150 labels, a small test slice misses many),
 * so it is left out of the macro averages and gets no per-class entry. A class that is predicted
 * but never true is kept: it has precision 0, recall 0 and F1 0, and pulls the average down, as a
 * spurious class should. This matches scikit-learn's {@code f1_score(average="macro")} when its
 * {@code labels} are the union of the true and predicted labels, with {@code zero_division=0}.
 */
public final class Metrics {

    private Metrics() {
    }

    /**
     * @param truth     the true class of each item, in {@code [0, classes)}
     * @param predicted the predicted class of each item, in {@code [0, classes)}
     * @param classes   the size of the label schema
     */
    public static SingleLabelMetrics singleLabel(int[] truth, int[] predicted, int classes) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException(truth.length + " true labels but " + predicted.length + " predictions");
        }
        if (truth.length == 0) {
            throw new IllegalArgumentException("no items to score");
        }
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
        long[] tp = new long[classes];
        long[] fp = new long[classes];
        long[] fn = new long[classes];
        int correct = 0;
        for (int i = 0; i < truth.length; i++) {
            int t = checkClass(truth[i], classes, "true label", i);
            int p = checkClass(predicted[i], classes, "prediction", i);
            if (t == p) {
                tp[t]++;
                correct++;
            } else {
                fn[t]++;
                fp[p]++;
            }
        }
        List<ClassMetrics> perClass = new ArrayList<>();
        double sumP = 0;
        double sumR = 0;
        double sumF = 0;
        for (int c = 0; c < classes; c++) {
            if (tp[c] + fp[c] + fn[c] == 0) {
                continue;
            }
            ClassMetrics m = ClassMetrics.fromCounts(c, tp[c], fp[c], fn[c]);
            perClass.add(m);
            sumP += m.precision();
            sumR += m.recall();
            sumF += m.f1();
        }
        int present = perClass.size();
        return new SingleLabelMetrics(truth.length, classes, (double) correct / truth.length,
                sumP / present, sumR / present, sumF / present, perClass);
    }

    /**
     * @param truth     {@code truth[i][l]}: item i truly carries label l
     * @param predicted {@code predicted[i][l]}: item i was predicted to carry label l; same shape
     * @return the metrics; when no label is true or predicted anywhere, micro- and macro-F1 are 1
     *         (every empty set was predicted empty) and there are no per-label entries
     */
    public static MultiLabelMetrics multiLabel(boolean[][] truth, boolean[][] predicted) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException(truth.length + " true rows but " + predicted.length + " predicted rows");
        }
        if (truth.length == 0) {
            throw new IllegalArgumentException("no items to score");
        }
        int labels = truth[0].length;
        if (labels == 0) {
            throw new IllegalArgumentException("no labels: rows have length 0");
        }
        long[] tp = new long[labels];
        long[] fp = new long[labels];
        long[] fn = new long[labels];
        int exact = 0;
        long wrong = 0;
        for (int i = 0; i < truth.length; i++) {
            if (truth[i].length != labels || predicted[i].length != labels) {
                throw new IllegalArgumentException("row " + i + " has " + truth[i].length + " true and "
                        + predicted[i].length + " predicted labels, expected " + labels);
            }
            boolean same = true;
            for (int l = 0; l < labels; l++) {
                boolean t = truth[i][l];
                boolean p = predicted[i][l];
                if (t && p) {
                    tp[l]++;
                } else if (p) {
                    fp[l]++;
                } else if (t) {
                    fn[l]++;
                }
                if (t != p) {
                    same = false;
                    wrong++;
                }
            }
            if (same) {
                exact++;
            }
        }
        long sumTp = 0;
        long sumFp = 0;
        long sumFn = 0;
        double sumF = 0;
        List<ClassMetrics> perLabel = new ArrayList<>();
        for (int l = 0; l < labels; l++) {
            sumTp += tp[l];
            sumFp += fp[l];
            sumFn += fn[l];
            if (tp[l] + fp[l] + fn[l] == 0) {
                continue;
            }
            ClassMetrics m = ClassMetrics.fromCounts(l, tp[l], fp[l], fn[l]);
            perLabel.add(m);
            sumF += m.f1();
        }
        boolean anyPositive = sumTp + sumFp + sumFn > 0;
        double microP = sumTp + sumFp == 0 ? (anyPositive ? 0 : 1) : (double) sumTp / (sumTp + sumFp);
        double microR = sumTp + sumFn == 0 ? (anyPositive ? 0 : 1) : (double) sumTp / (sumTp + sumFn);
        double microF1 = anyPositive ? 2.0 * sumTp / (2.0 * sumTp + sumFp + sumFn) : 1;
        double macroF1 = perLabel.isEmpty() ? 1 : sumF / perLabel.size();
        return new MultiLabelMetrics(truth.length, labels, microP, microR, microF1, macroF1,
                (double) exact / truth.length, (double) wrong / ((long) truth.length * labels), perLabel);
    }

    private static int checkClass(int c, int classes, String what, int item) {
        if (c < 0 || c >= classes) {
            throw new IllegalArgumentException(what + " " + c + " of item " + item + " is outside [0, " + classes + ")");
        }
        return c;
    }
}
