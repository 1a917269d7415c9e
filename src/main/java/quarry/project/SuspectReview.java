package quarry.project;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quarry.core.DomainException;
import quarry.core.Vectors;
import quarry.eval.SuspectLabels;
import quarry.model.HeadConfig;
import quarry.model.OutOfFold;
import quarry.model.Targets;
import quarry.store.Records.Annotation;
import quarry.store.Records.Doc;
import quarry.store.Store;

/**
 * The suspect-label queue: people's labels ranked by how likely each is wrong (confident learning
 * on out-of-fold probabilities, {@link SuspectLabels}), recomputed in the background when the
 * labels change. A reviewer keeps or changes each; the decision is an annotation by the reviewer
 * with the reason, so the label log says who decided what and why, and a reviewed label leaves the
 * queue until someone labels the document again.
 */
final class SuspectReview implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SuspectReview.class);
    /** Folds of the out-of-fold probabilities, as cleanlab and the cross-validated estimate use. */
    static final int FOLDS = 5;
    /** Fewer labels than this per fold leave the heads nothing to learn from. */
    static final int MIN_LABELS = 20;

    /** What the ranking was computed from, and the ranking. */
    private record Ranking(String labelsHash, int labels, String computedAt, List<SuspectLabels.Suspect> ranked,
            int[] rows, List<String> names) {
    }

    private final long projectId;
    private final String projectName;
    private final Store store;
    private final LabelBook labels;
    private final HeadConfig head;
    /** The pool vectors (every document, by row) and the encoder that made them, as now. */
    private final Supplier<Vectors> vectors;
    private final Supplier<String> encoderId;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "quarry-suspects");
        t.setDaemon(true);
        return t;
    });
    private volatile Ranking latest;
    private volatile String computingFor;
    private volatile String error;

    SuspectReview(long projectId, String projectName, Store store, LabelBook labels, HeadConfig head,
            Supplier<Vectors> vectors, Supplier<String> encoderId) {
        this.projectId = projectId;
        this.projectName = projectName;
        this.store = store;
        this.labels = labels;
        this.head = head;
        this.vectors = vectors;
        this.encoderId = encoderId;
    }

    /**
     * The queue as it stands: the latest ranking, without the labels reviewed since, most suspect
     * first. Starts a recomputation when the labels changed since that ranking.
     *
     * @param limit        at most this many items
     * @param flaggedOnly  only the labels confident learning counts as errors
     */
    Views.Suspects queue(int limit, boolean flaggedOnly) {
        if (labels.multiLabel()) {
            throw new DomainException.Conflict("suspects_multilabel", "project '" + projectName + "' is multi-label;"
                    + " suspect labels are ranked for single-label projects only", Map.of());
        }
        Map<Integer, List<String>> snapshot = labels.snapshot();
        String hash = LabelBook.hash(snapshot);
        Ranking r = latest;
        boolean stale = r == null || !r.labelsHash().equals(hash);
        if (stale && snapshot.size() >= MIN_LABELS) {
            start(snapshot, hash);
        }
        String computing = computingFor;
        String state = computing != null ? "computing" : r == null ? (snapshot.size() < MIN_LABELS ? "too_few_labels"
                : error != null ? "failed" : "computing") : "ready";
        if (r == null) {
            return new Views.Suspects(state, null, snapshot.size(), 0, 0, null, stale, note(state, snapshot.size()),
                    List.of());
        }
        Set<Integer> reviewed = reviewedRows();
        List<Views.Suspect> items = new ArrayList<>();
        int flagged = 0;
        for (SuspectLabels.Suspect s : r.ranked()) {
            int row = r.rows()[s.index()];
            if (reviewed.contains(row) || !r.names().get(s.given()).equals(single(snapshot.get(row)))) {
                continue; // reviewed, or relabeled since the ranking
            }
            if (s.flagged()) {
                flagged++;
            }
            if (items.size() < limit && (s.flagged() || !flaggedOnly)) {
                Doc d = store.documents().find(projectId, row).orElseThrow();
                items.add(new Views.Suspect(d.id(), row, d.text(), r.names().get(s.given()), r.names().get(s.likely()),
                        s.selfConfidence(), s.flagged()));
            }
        }
        return new Views.Suspects(state, r.labelsHash(), r.labels(), flagged, reviewed.size(), r.computedAt(), stale,
                note(state, r.labels()), items);
    }

    private static String single(List<String> names) {
        return names == null || names.size() != 1 ? null : names.get(0);
    }

    private String note(String state, int count) {
        return switch (state) {
            case "too_few_labels" -> "Suspect labels need " + MIN_LABELS + " labels or more; project '" + projectName
                    + "' has " + count + ".";
            case "failed" -> "Ranking the labels failed: " + error;
            case "computing" -> "Ranking the " + count + " labels (" + FOLDS + " heads, each scoring the labels it did"
                    + " not see)…";
            default -> "Labels most likely wrong first: confident learning on out-of-fold probabilities of "
                    + count + " labels. Keep or change each; the decision and its reason go into the label log.";
        };
    }

    private synchronized void start(Map<Integer, List<String>> snapshot, String hash) {
        if (hash.equals(computingFor)) {
            return;
        }
        computingFor = hash;
        runner.submit(() -> {
            try {
                latest = compute(snapshot, hash);
                error = null;
            } catch (RuntimeException e) {
                LOG.error("ranking suspect labels failed in project {}", projectName, e);
                error = e.getMessage();
            } finally {
                synchronized (this) {
                    if (hash.equals(computingFor)) {
                        computingFor = null;
                    }
                }
            }
        });
    }

    private Ranking compute(Map<Integer, List<String>> snapshot, String hash) {
        Vectors x = vectors.get();
        List<String> names = labels.names();
        List<Integer> rows = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        snapshot.forEach((row, chosen) -> {
            if (chosen.size() == 1 && row < x.size()) {
                rows.add(row);
                classes.add(names.indexOf(chosen.get(0)));
            }
        });
        int[] r = rows.stream().mapToInt(Integer::intValue).toArray();
        int[] given = classes.stream().mapToInt(Integer::intValue).toArray();
        float[][] p = OutOfFold.probabilities(x, r, Targets.singleLabel(names, given), head, encoderId.get(), FOLDS);
        return new Ranking(hash, r.length, Instant.now().toString(), SuspectLabels.rank(p, given), r, names);
    }

    /** Rows whose current label is a reviewer's decision (an annotation with a reason). */
    private Set<Integer> reviewedRows() {
        Map<Integer, Annotation> current = new HashMap<>();
        store.annotations().forEach(projectId, a -> {
            if (!a.undone() && !a.skipped()) {
                current.put(a.row(), a);
            }
        });
        Set<Integer> out = new HashSet<>();
        current.forEach((row, a) -> {
            if (a.reason() != null) {
                out.add(row);
            }
        });
        return out;
    }

    /** Checks a reviewer's reason: required, one line of at most 500 characters. */
    static String checkReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new DomainException.InvalidInput("bad_request", "field 'reason': say why (kept in the label log)",
                    Map.of("field", "reason"));
        }
        String r = reason.strip();
        if (r.length() > 500 || r.chars().anyMatch(Character::isISOControl)) {
            throw new DomainException.InvalidInput("bad_request", "field 'reason': one line of at most 500 characters",
                    Map.of("field", "reason"));
        }
        return r;
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
