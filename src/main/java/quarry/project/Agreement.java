package quarry.project;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import quarry.core.DomainException;
import quarry.eval.InterAnnotator;
import quarry.store.Records.Annotation;
import quarry.store.Records.Doc;
import quarry.store.Store;

/**
 * Agreement among a project's annotators, and the queue of documents they disagree on, both read
 * from the label log: only annotators' own labels count (not imported labels, not reviewers'
 * decisions), each annotator's latest on a document. A reviewer settles a disagreement with a
 * label and a reason: an annotation by the reviewer, which becomes the document's label.
 *
 * <p>What trains meanwhile: a document's latest label, as for any document, until a reviewer
 * settles it. Each of its labels is one person's reading, which is all any document labeled once
 * has; leaving it out would take labels from the model exactly where the text is hard, and make
 * the label count depend on who labeled last.
 *
 * <p>Single-label projects only: a multi-label project cannot have overlap settings, and its
 * agreement is not measured (409).
 */
final class Agreement {

    /** κ needs this many shared items for a pair of annotators (or an annotator and the others). */
    static final int MIN_SHARED = 10;

    /**
     * One document as the log has it: each annotator's own standing label (their latest), the
     * annotation that is its label now, and whether an import or a reviewer decided it.
     */
    private record RowLog(Map<String, Annotation> own, Annotation current, boolean decided) {

        boolean disagrees() {
            return own.values().stream().map(Annotation::labels).distinct().count() > 1;
        }

        boolean settled() {
            return current != null && Annotation.REVIEW.equals(current.kind());
        }
    }

    private final long projectId;
    private final String projectName;
    private final ProjectSettings settings;
    private final Store store;
    private final LabelBook labels;
    private final Overlaps overlaps;

    Agreement(long projectId, String projectName, ProjectSettings settings, Store store, LabelBook labels,
            Overlaps overlaps) {
        this.projectId = projectId;
        this.projectName = projectName;
        this.settings = settings;
        this.store = store;
        this.labels = labels;
        this.overlaps = overlaps;
    }

    /**
     * The project's agreement figures. {@code everyone}: every annotator's figures and the pairs
     * (reviewers, admins); otherwise only {@code caller}'s own, so annotators do not see how their
     * colleagues fare.
     */
    Views.Agreement report(String caller, boolean everyone) {
        singleLabel();
        Map<Integer, RowLog> log = read(sink -> store.annotations().forEach(projectId, sink));
        TreeSet<String> names = new TreeSet<>();
        List<RowLog> shared = new ArrayList<>();
        int awaiting = 0;
        int open = 0;
        int settled = 0;
        for (Map.Entry<Integer, RowLog> e : log.entrySet()) {
            RowLog r = e.getValue();
            if (r.own().size() >= 2) {
                shared.add(r);
                names.addAll(r.own().keySet());
                if (r.disagrees()) {
                    if (r.settled()) {
                        settled++;
                    } else {
                        open++;
                    }
                }
            }
            if (overlaps.covers(e.getKey()) && !r.decided() && !r.own().isEmpty()
                    && r.own().size() < overlaps.annotators()) {
                awaiting++;
            }
        }
        List<String> who = List.copyOf(names);
        List<InterAnnotator.Item> items = new ArrayList<>();
        for (RowLog r : shared) {
            int[] a = new int[r.own().size()];
            int[] v = new int[a.length];
            int i = 0;
            for (Map.Entry<String, Annotation> e : r.own().entrySet()) {
                a[i] = who.indexOf(e.getKey());
                v[i++] = labels.indexes(e.getValue().labels())[0];
            }
            items.add(new InterAnnotator.Item(a, v));
        }
        InterAnnotator.Result m = InterAnnotator.measure(items, who.size(), labels.names().size(), MIN_SHARED);
        List<Views.LabelAgreement> perLabel = m.classes().stream().filter(c -> c.values() > 0)
                .map(c -> new Views.LabelAgreement(labels.name(c.value()), c.values(), finite(c.alpha()),
                        finite(c.specificAgreement())))
                .sorted(Comparator.comparing(Views.LabelAgreement::alpha, Comparator.nullsLast(Comparator.naturalOrder())))
                .toList();
        List<Views.AnnotatorAgreement> perAnnotator = m.annotators().stream()
                .filter(a -> everyone || who.get(a.annotator()).equals(caller))
                .map(a -> new Views.AnnotatorAgreement(who.get(a.annotator()), a.items(), a.pairings(),
                        finite(a.agreement()), finite(a.kappa()), finite(a.meanPairKappa()))).toList();
        List<Views.PairAgreement> pairs = !everyone ? List.of() : m.pairs().stream()
                .map(p -> new Views.PairAgreement(who.get(p.a()), who.get(p.b()), p.shared(), finite(p.agreement()),
                        finite(p.kappa()))).toList();
        int labeled = labels.count();
        return new Views.Agreement(everyone ? "all" : "own", settings.overlapShare(), settings.overlapAnnotators(),
                MIN_SHARED, labeled, m.items(), labeled == 0 ? null : m.items() / (double) labeled, finite(m.alpha()),
                finite(m.agreement()), awaiting, open, settled, perLabel, perAnnotator, pairs, note(m.items()));
    }

    private String note(int items) {
        String how = settings.overlapShare() == 0 ? "Project '" + projectName + "' sends no documents to several"
                + " annotators (overlapShare 0); only documents someone labeled again count here."
                : "About " + Math.round(100 * settings.overlapShare()) + "% of documents go to "
                        + settings.overlapAnnotators() + " annotators each.";
        return how + " " + items + " documents have labels of two or more annotators. Krippendorff's α overall and"
                + " per label (one-vs-rest); Cohen's κ for pairs with " + MIN_SHARED + " or more shared documents.";
    }

    /** Documents whose annotators disagree and that no reviewer settled, oldest disagreement first. */
    Views.Disagreements queue(int limit) {
        singleLabel();
        Map<Integer, RowLog> log = read(sink -> store.annotations().forEach(projectId, sink));
        List<Map.Entry<Integer, RowLog>> open = new ArrayList<>();
        int settled = 0;
        for (Map.Entry<Integer, RowLog> e : log.entrySet()) {
            RowLog r = e.getValue();
            if (r.own().size() >= 2 && r.disagrees()) {
                if (r.settled()) {
                    settled++;
                } else {
                    open.add(e);
                }
            }
        }
        // The disagreement arose with the latest of the annotators' labels.
        open.sort(Comparator.comparingLong(e -> e.getValue().own().values().stream().mapToLong(Annotation::id)
                .max().orElse(0)));
        List<Views.Disagreement> items = new ArrayList<>();
        for (Map.Entry<Integer, RowLog> e : open.subList(0, Math.min(limit, open.size()))) {
            Doc d = store.documents().find(projectId, e.getKey()).orElseThrow();
            List<Views.AnnotatorLabel> given = e.getValue().own().values().stream()
                    .map(a -> new Views.AnnotatorLabel(a.annotator(), a.labels(), a.created())).toList();
            items.add(new Views.Disagreement(d.id(), d.row(), d.text(), labels.labels(d.row()), given));
        }
        return new Views.Disagreements(open.size(), settled, "Documents whose annotators gave different labels,"
                + " oldest first. Settle each with a label and a reason; it goes into the label log as yours.", items);
    }

    /**
     * Stores a reviewer's decision on a document in disagreement ({@code chosen} and {@code reason}
     * already checked), or refuses (409) one that is not: fewer than two annotators, all agreeing,
     * or settled already. One decision at a time, so two reviewers cannot both settle one document
     * on this server.
     */
    synchronized Annotation settle(String reviewer, Doc doc, List<String> chosen, String reason) {
        singleLabel();
        RowLog r = read(sink -> store.annotations().ofRows(projectId, List.of(doc.row())).forEach(sink))
                .get(doc.row());
        int annotators = r == null ? 0 : r.own().size();
        if (r == null || annotators < 2 || !r.disagrees() || r.settled()) {
            String why = annotators < 2 ? "it has labels of " + annotators + " annotator" + (annotators == 1 ? "" : "s")
                    : !r.disagrees() ? "its " + annotators + " annotators agree" : "a reviewer settled it already";
            throw new DomainException.Conflict("not_in_disagreement", "document '" + doc.id() + "' is not in"
                    + " disagreement: " + why, Map.of("document", doc.id(), "annotators", annotators));
        }
        return store.annotations().add(projectId, doc.row(), doc.id(), chosen, reviewer, null, reason);
    }

    private void singleLabel() {
        if (labels.multiLabel()) {
            throw new DomainException.Conflict("agreement_multilabel", "project '" + projectName + "' is multi-label;"
                    + " agreement and disagreements are measured on single-label projects only", Map.of());
        }
    }

    /** The log's rows, from what {@code source} streams in order. */
    private static Map<Integer, RowLog> read(Consumer<Consumer<Annotation>> source) {
        Map<Integer, Map<String, Annotation>> own = new TreeMap<>();
        Map<Integer, Annotation> current = new TreeMap<>();
        Map<Integer, Boolean> decided = new TreeMap<>();
        source.accept(a -> {
            if (a.undone() || a.skipped()) {
                return;
            }
            current.put(a.row(), a);
            if (a.standsAsOwnLabel() && a.labels().size() == 1) {
                Map<String, Annotation> byAnnotator = own.computeIfAbsent(a.row(), r -> new LinkedHashMap<>());
                byAnnotator.remove(a.annotator()); // keeps the map in order of each annotator's latest label
                byAnnotator.put(a.annotator(), a);
            } else if (!a.standsAsOwnLabel()) {
                decided.put(a.row(), true);
            }
        });
        Map<Integer, RowLog> out = new TreeMap<>();
        for (Integer row : current.keySet()) {
            out.put(row, new RowLog(own.getOrDefault(row, Map.of()), current.get(row), decided.getOrDefault(row,
                    false)));
        }
        return out;
    }

    private static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }
}
