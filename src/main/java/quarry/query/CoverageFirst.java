package quarry.query;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import quarry.core.Pick;

/**
 * Coverage while labels are few, uncertainty after: the first labels go to typical documents of
 * regions no label covers yet ({@link ColdStart} with the labeled documents clustered in), and
 * once the labels reach {@code labelsPerClass} per class of the schema, every batch comes from
 * {@code exploit}. Few labels make uncertainty unreliable (the model is confidently wrong where it
 * has seen nothing); many make coverage a waste (every region already has a label).
 */
final class CoverageFirst implements QueryStrategy {

    private final String name;
    private final QueryStrategy exploit;
    private final double labelsPerClass;
    private final ColdStart coverage = new ColdStart();

    CoverageFirst(String name, QueryStrategy exploit, double labelsPerClass) {
        if (!(labelsPerClass >= 0)) {
            throw new IllegalArgumentException("labels per class must be >= 0, got " + labelsPerClass);
        }
        this.name = name;
        this.exploit = exploit;
        this.labelsPerClass = labelsPerClass;
    }

    @Override
    public String name() {
        return name;
    }

    /** Whether a context with these labels is still in the coverage phase. */
    boolean covering(QueryContext ctx) {
        int classes = ctx.labelCounts() == null ? 0 : ctx.labelCounts().length;
        return ctx.head() == null || ctx.labeled().length < labelsPerClass * classes;
    }

    @Override
    public List<Pick> select(QueryContext ctx, int batchSize) {
        if (!covering(ctx)) {
            return exploit.select(ctx, batchSize);
        }
        List<Pick> picks = new ArrayList<>(coverage.select(ctx, batchSize));
        if (picks.size() < batchSize && ctx.head() != null) {
            // Every cluster already has a label: the rest of the batch is the model's to choose.
            Set<Integer> taken = new HashSet<>();
            picks.forEach(p -> taken.add(p.row()));
            for (Pick p : exploit.select(ctx, batchSize + picks.size())) {
                if (picks.size() < batchSize && taken.add(p.row())) {
                    picks.add(p);
                }
            }
        }
        return picks;
    }
}
