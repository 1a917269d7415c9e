package quarry.project;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quarry.core.Classifier;
import quarry.core.DomainException;
import quarry.core.NeighbourIndex;
import quarry.core.Pick;
import quarry.core.Vectors;
import quarry.eval.DriftCheck;
import quarry.query.QueryContext;
import quarry.query.Strategies;
import quarry.store.Records.Arrival;
import quarry.store.Records.Project;
import quarry.store.Store;

/**
 * A project's arrival batches: their drift reports, measured on the trainer thread once a batch's
 * vectors are indexed and a model exists, and the upkeep queue over the arrivals nobody labeled.
 */
final class ArrivalReports {

    private static final Logger LOG = LoggerFactory.getLogger(ArrivalReports.class);
    /** Diversity of the upkeep batch, as the default queue's: no two picks with cosine ≥ 0.9. */
    static final double UPKEEP_TAU = 0.9;

    private final Project project;
    private final Store store;
    private final long seed;

    ArrivalReports(Project project, Store store, long seed) {
        this.project = project;
        this.store = store;
        this.seed = seed;
    }

    /**
     * Measures every batch without a report whose rows are all in {@code view} (embedded and
     * indexed). A failure is logged and the batch tried again next round: a report is never worth
     * a failed retrain.
     */
    void measure(Vectors view, Classifier head, int modelVersion, NeighbourIndex index, int[] labeled) {
        for (Arrival a : store.arrivals().list(project.id())) {
            if (a.report() != null || a.firstRow() + a.documents() > view.size()) {
                continue;
            }
            try {
                DriftCheck.Report r = DriftCheck.check(view, a.firstRow(), a.firstRow() + a.documents(), head, index,
                        labeled, this::text, DriftCheck.Settings.DEFAULTS, seed + a.id());
                store.arrivals().report(project.id(), a.id(), Json.write(view(r, modelVersion, labeled.length)));
            } catch (RuntimeException e) {
                LOG.error("drift report of arrival batch {} failed in project {}", a.id(), project.name(), e);
            }
        }
    }

    private String text(int row) {
        return store.documents().find(project.id(), row).map(d -> d.text()).orElse("");
    }

    private Views.DriftReport view(DriftCheck.Report r, int modelVersion, int labeled) {
        List<Views.MovedLabel> moved = new ArrayList<>();
        if (r.labelShift() != null) {
            for (int i = 0; i < r.labelShift().moved().size(); i++) {
                moved.add(new Views.MovedLabel(r.movedLabels().get(i), r.labelShift().moved().get(i).before(),
                        r.labelShift().moved().get(i).after()));
            }
        }
        List<Views.Region> regions = r.regions().stream().map(g -> new Views.Region(g.documents(),
                g.similarityToLabeled(), g.exampleRows().stream().map(row -> store.documents().find(project.id(), row)
                        .map(d -> new Views.Example(d.id(), d.text())).orElse(null)).filter(e -> e != null).toList()))
                .toList();
        List<Views.DriftSignal> signals = r.signals().stream().map(s -> new Views.DriftSignal(s.name(), s.value(),
                s.fired(), s.words())).toList();
        return new Views.DriftReport(r.summary(), r.drifted(), modelVersion, java.time.Instant.now().toString(),
                labeled, r.mmd() == null ? null : r.mmd().mmd2(), r.mmd() == null ? null : r.mmd().pValue(),
                r.lowBefore(), r.lowAfter(), r.labelShift() == null ? null : r.labelShift().tvd(),
                r.labelShift() == null ? null : r.labelShift().pValue(), moved, regions, signals);
    }

    List<Views.ArrivalBatch> list() {
        return store.arrivals().list(project.id()).stream().map(ArrivalReports::batch).toList();
    }

    Views.ArrivalBatch get(long id) {
        return store.arrivals().find(project.id(), id).map(ArrivalReports::batch).orElseThrow(() ->
                new DomainException.NotFound("no arrival batch " + id + " in project '" + project.name() + "'"));
    }

    private static Views.ArrivalBatch batch(Arrival a) {
        Views.DriftReport report = a.report() == null ? null : Json.readStored(a.report(), Views.DriftReport.class);
        return new Views.ArrivalBatch(a.id(), a.created(), a.source(), a.firstRow(), a.documents(),
                report == null ? "waiting" : "measured", report);
    }

    /**
     * The upkeep queue: the {@code n} unlabeled arrivals (rows in {@code view}) that the upkeep
     * strategy ranks first, kept diverse.
     */
    Views.Upkeep upkeep(Vectors view, Classifier head, int modelVersion, NeighbourIndex index, int[] labeled,
            java.util.function.IntPredicate isLabeled, int n) {
        List<Arrival> arrivals = store.arrivals().list(project.id());
        int[] candidates = arrivals.stream().flatMapToInt(a -> IntStream.range(a.firstRow(), a.firstRow()
                + a.documents())).filter(r -> r < view.size() && !isLabeled.test(r)).toArray();
        QueryContext ctx = QueryContext.of(view, candidates).withLabeled(labeled).withHead(head).withIndex(index)
                .withSeed(seed);
        List<Pick> picks = candidates.length == 0 ? List.of() : Strategies.byName("upkeep",
                Strategies.Options.DEFAULTS.withDiversity(UPKEEP_TAU)).select(ctx, n);
        List<Views.UpkeepItem> items = new ArrayList<>();
        for (Pick p : picks) {
            Long batch = arrivals.stream().filter(a -> a.holds(p.row())).map(Arrival::id).findFirst().orElse(null);
            store.documents().find(project.id(), p.row()).ifPresent(d -> items.add(new Views.UpkeepItem(d.id(),
                    p.row(), batch, d.text(), new Views.PickReason(p.strategy(), p.score(), p.uncertainty(),
                            p.density(), p.note()))));
        }
        return new Views.Upkeep(candidates.length, modelVersion, "upkeep", items);
    }
}
