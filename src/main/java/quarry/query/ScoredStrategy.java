package quarry.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import quarry.core.Pick;

/**
 * A strategy made of a {@link Scorer} and a {@link Selector}. Without a trained model, strategies
 * that need one hand over to {@link ColdStart}.
 */
final class ScoredStrategy implements QueryStrategy {

    private final String name;
    private final Scorer scorer;
    private final Selector selector;
    private final ColdStart coldStart = new ColdStart();

    ScoredStrategy(String name, Scorer scorer, Selector selector) {
        this.name = name;
        this.scorer = scorer;
        this.selector = selector;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Pick> select(QueryContext ctx, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (ctx.candidates().length == 0) {
            return List.of();
        }
        if (scorer.needsModel() && ctx.head() == null) {
            return coldStart.select(ctx, batchSize);
        }
        Scores scores = scorer.score(ctx);
        int[] chosen = selector.select(ctx, scores, batchSize);
        int[] rows = new int[chosen.length];
        for (int i = 0; i < chosen.length; i++) {
            rows[i] = scores.rows()[chosen[i]];
        }
        float[][] probabilities = ctx.head() == null || rows.length == 0 ? null
                : ctx.head().probabilities(ctx.pool(), rows);
        List<Pick> picks = new ArrayList<>(chosen.length);
        for (int i = 0; i < chosen.length; i++) {
            int at = chosen[i];
            picks.add(new Pick(rows[i], name, scores.score()[at], scores.uncertainty()[at], scores.density()[at],
                    note(scores, at, probabilities == null ? null : probabilities[i], ctx)));
        }
        return picks;
    }

    /** Why it was picked, in words: the measure, the density, and the model's top two guesses. */
    private String note(Scores scores, int at, float[] p, QueryContext ctx) {
        StringBuilder note = new StringBuilder(scorer.name());
        if (!Float.isNaN(scores.uncertainty()[at])) {
            note.append(String.format(Locale.ROOT, " %.3f", scores.uncertainty()[at]));
        }
        if (!Float.isNaN(scores.density()[at])) {
            note.append(String.format(Locale.ROOT, ", density %.2f", scores.density()[at]));
        }
        if (p != null && p.length >= 2) {
            int first = Uncertainty.argmax(p);
            int second = first == 0 ? 1 : 0;
            for (int c = 0; c < p.length; c++) {
                if (c != first && p[c] > p[second]) {
                    second = c;
                }
            }
            List<String> labels = ctx.head().labels();
            note.append(String.format(Locale.ROOT, "; model's top guesses: %s %.2f, %s %.2f", labels.get(first),
                    p[first], labels.get(second), p[second]));
        }
        if (selector.diverse()) {
            note.append("; kept diverse");
        }
        if (selector.classBalanced()) {
            note.append("; class-balanced");
        }
        return note.toString();
    }
}
