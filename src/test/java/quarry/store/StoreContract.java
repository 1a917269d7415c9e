package quarry.store;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Document;
import quarry.store.Records.Annotation;
import quarry.store.Records.Doc;
import quarry.store.Records.Job;
import quarry.store.Records.JobPulse;
import quarry.store.Records.Label;
import quarry.store.Records.MachineBatch;
import quarry.store.Records.MachineBatchSpec;
import quarry.store.Records.MachineLabel;
import quarry.store.Records.MachineProposal;
import quarry.store.Records.ModelVersion;
import quarry.store.Records.Project;
import quarry.store.Records.Token;

/**
 * The contract every database behind {@link Store} keeps, one nested group per repository. A
 * database's test extends this class and says how to open its store; the checks are the same for all.
 */
@Tag("integration")
public abstract class StoreContract {

    /**
     * A store over an empty database kept in {@code dir}; opening the same folder again, after the
     * first store is closed, gives the same data.
     */
    protected abstract Store open(Path dir);

    @TempDir
    Path dir;

    private Store store;

    @BeforeEach
    void openStore() {
        store = open(dir);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private Project project(String name) {
        return store.projects().create(name, false, "enc", List.of(new Label(0, "a", null), new Label(1, "b", "bee")),
                "{}");
    }

    private Project project() {
        return project("p");
    }

    private static List<Document> docs(int n) {
        List<Document> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Document.unlabeled("d" + i, "text " + i));
        }
        return out;
    }

    @Nested
    class DurabilityContract {

        @Test
        void whatWasAcknowledgedSurvivesReopening() {
            Project p = project();
            store.documents().add(p.id(), docs(3)::forEach, "import");
            store.annotations().add(p.id(), 2, "d2", List.of("b"), "ann", "r1");
            store.tokens().add("alice", "annotator", "ab".repeat(32));
            store.close();
            store = open(dir);
            assertEquals(List.of(p), store.projects().list());
            assertEquals(3, store.documents().count(p.id()));
            assertEquals(Map.of(2, List.of("b")), store.annotations().currentLabels(p.id()));
            assertEquals("alice", store.tokens().findByHash("ab".repeat(32)).orElseThrow().name());
        }
    }

    @Nested
    class ProjectsContract {

        @Test
        void aProjectKeepsItsSchemaAndSettings() {
            Project p = project();
            assertEquals(List.of("a", "b"), p.labelNames());
            assertEquals(List.of(p), store.projects().list());
            Project found = store.projects().find("p").orElseThrow();
            assertEquals(p, found);
            assertEquals("bee", found.labels().get(1).description());
            assertNull(found.labels().get(0).description());
            assertFalse(found.multiLabel());
            assertEquals("enc", found.encoder());
            store.projects().updateSettings(p.id(), "{\"batch\":5}");
            assertEquals("{\"batch\":5}", store.projects().find("p").orElseThrow().settings());
            store.projects().updateEncoder(p.id(), "enc-ft1");
            Project tuned = store.projects().find("p").orElseThrow();
            assertEquals("enc-ft1", tuned.encoder());
            assertEquals(p.labelNames(), tuned.labelNames(), "only the encoder changes");
            assertEquals("{\"batch\":5}", tuned.settings());
        }

        @Test
        void projectsAreListedInOrderOfCreation() {
            Project first = project("one");
            Project second = store.projects().create("two", true, "enc2", List.of(new Label(0, "x", null)), "{}");
            assertEquals(List.of(first, second), store.projects().list());
            assertTrue(second.multiLabel());
            assertTrue(second.id() != first.id());
        }

        @Test
        void anUnknownProjectIsEmpty() {
            assertTrue(store.projects().list().isEmpty());
            assertTrue(store.projects().find("nope").isEmpty());
            project();
            assertTrue(store.projects().find("P").isEmpty(), "names are case-sensitive");
        }

        @Test
        void aTakenNameIsADuplicateAndLeavesNothingHalfMade() {
            project();
            assertThrows(DuplicateException.class, () -> store.projects().create("p", true, "other",
                    List.of(new Label(0, "z", null)), "{}"));
            assertEquals(1, store.projects().list().size());
            assertEquals(List.of("a", "b"), store.projects().find("p").orElseThrow().labelNames());
        }

        @Test
        void aDuplicateLabelNameFailsTheWholeProject() {
            assertThrows(DuplicateException.class, () -> store.projects().create("p", false, "enc",
                    List.of(new Label(0, "a", null), new Label(1, "a", null)), "{}"));
            assertTrue(store.projects().list().isEmpty(), "the project row is rolled back with its labels");
        }

        @Test
        void deletingAProjectRemovesAllItOwns() {
            Project p = project();
            Project other = project("other");
            store.documents().add(p.id(), List.of(new Document("d0", "t", List.of("a")),
                    Document.unlabeled("d1", "u"))::forEach, "import");
            store.documents().add(other.id(), docs(2)::forEach, "import");
            store.annotations().add(p.id(), 1, "d1", List.of("b"), "ann", "r1");
            store.models().add(p.id(), 1, 2, "{}");
            store.jobs().add("j1", p.id(), "predict", 2, "alice");
            store.jobs().addResults("j1", 0, List.of("x", "y"));

            assertTrue(store.projects().delete(p.id()));

            assertEquals(List.of(other), store.projects().list());
            assertEquals(0, store.documents().count(p.id()));
            assertTrue(store.documents().list(p.id(), 0, 10).isEmpty());
            assertTrue(store.documents().find(p.id(), "d0").isEmpty());
            assertTrue(store.annotations().currentLabels(p.id()).isEmpty());
            assertTrue(store.annotations().list(p.id(), 0, 10).isEmpty());
            assertTrue(store.annotations().findByRequest(p.id(), "ann", "r1").isEmpty());
            assertTrue(store.models().list(p.id()).isEmpty());
            assertTrue(store.jobs().find("j1").isEmpty());
            assertTrue(store.jobs().results("j1", 0, 10).isEmpty());
            assertEquals(2, store.documents().count(other.id()), "other projects keep theirs");
            assertFalse(store.projects().delete(p.id()), "a second delete finds nothing");
        }
    }

    @Nested
    class ArrivalsContract {

        @Test
        void aBatchIsStoredWithItsDocumentsOrNotAtAll() {
            Project p = project();
            store.documents().add(p.id(), docs(3)::forEach, "import");
            List<Document> batch = List.of(Document.unlabeled("n1", "new one"), new Document("n2", "new two",
                    List.of("b")));
            Records.Arrival a = store.arrivals().add(p.id(), batch::forEach, "import", Arrivals.Source.STREAM);
            assertEquals(3, a.firstRow());
            assertEquals(2, a.documents());
            assertEquals("stream", a.source());
            assertEquals(null, a.report());
            assertTrue(a.holds(4) && !a.holds(2) && !a.holds(5));
            assertEquals(5, store.documents().count(p.id()));
            assertEquals(Map.of(4, List.of("b")), store.annotations().currentLabels(p.id()));

            // a duplicate id: neither the documents nor the batch
            List<Document> clash = List.of(Document.unlabeled("n3", "fine"), Document.unlabeled("d1", "again"));
            assertThrows(DuplicateException.class, () -> store.arrivals().add(p.id(), clash::forEach, "import",
                    Arrivals.Source.IMPORT));
            // a source that fails midway: the same
            assertThrows(Store.SourceException.class, () -> store.arrivals().add(p.id(), sink -> {
                sink.accept(Document.unlabeled("n4", "fine"));
                throw new java.io.IOException("line 2: text: missing");
            }, "import", Arrivals.Source.STREAM));
            assertEquals(5, store.documents().count(p.id()));
            assertEquals(List.of(a), store.arrivals().list(p.id()));

            store.arrivals().report(p.id(), a.id(), "{\"summary\":\"ok\"}");
            assertEquals("{\"summary\":\"ok\"}", store.arrivals().find(p.id(), a.id()).orElseThrow().report());
            IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> store.arrivals().add(
                    p.id(), docs(0)::forEach, "import", Arrivals.Source.IMPORT));
            assertTrue(empty.getMessage().contains("at least one document"), empty.getMessage());
            assertEquals(1, store.arrivals().list(p.id()).size());
        }

        @Test
        void batchesBelongToTheirProject() {
            Project p = project("p");
            Project q = project("q");
            Records.Arrival a = store.arrivals().add(p.id(), docs(2)::forEach, "import", Arrivals.Source.IMPORT);
            assertTrue(store.arrivals().find(q.id(), a.id()).isEmpty());
            assertTrue(store.arrivals().list(q.id()).isEmpty());
            store.arrivals().report(q.id(), a.id(), "{}");
            assertEquals(null, store.arrivals().find(p.id(), a.id()).orElseThrow().report(), "not another project's");
            store.projects().delete(p.id());
            assertTrue(store.arrivals().list(p.id()).isEmpty());
        }
    }

    @Nested
    class DocumentsContract {

        @Test
        void importsAreAllOrNothing() {
            Project p = project();
            assertEquals(3, store.documents().add(p.id(), docs(3)::forEach, "import"));
            List<Document> clash = new ArrayList<>(List.of(Document.unlabeled("new", "x"),
                    new Document("withLabel", "y", List.of("a")), Document.unlabeled("d1", "again")));
            DuplicateException e = assertThrows(DuplicateException.class,
                    () -> store.documents().add(p.id(), clash::forEach, "import"));
            assertTrue(e.getMessage().contains("'d1'"), e.getMessage());
            assertEquals(3, store.documents().count(p.id()), "nothing of the failed import is kept");
            assertTrue(store.annotations().currentLabels(p.id()).isEmpty(), "nor its labels");
            Store.SourceException failed = assertThrows(Store.SourceException.class, () -> store.documents().add(p.id(),
                    sink -> {
                        sink.accept(Document.unlabeled("z1", "fine"));
                        throw new java.io.IOException("disk gone");
                    }, "import"));
            assertTrue(failed.getMessage().contains("disk gone"));
            assertEquals(3, store.documents().count(p.id()));
            assertEquals(2, store.documents().add(p.id(), List.of(new Document("l1", "t", List.of("b")),
                    Document.unlabeled("l2", "u"))::forEach, "import"));
            assertEquals(Map.of(3, List.of("b")), store.annotations().currentLabels(p.id()));
            assertEquals("l2", store.documents().find(p.id(), 4).orElseThrow().id());
        }

        @Test
        void aSourceFailingMidwayLeavesNothingStored() {
            Project p = project();
            IllegalStateException stop = new IllegalStateException("bad row");
            // Past the first batch sent to the database, so sent batches must be rolled back too.
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> store.documents().add(
                    p.id(), sink -> {
                        for (int i = 0; i < 2500; i++) {
                            sink.accept(new Document("d" + i, "text " + i, List.of(i % 2 == 0 ? "a" : "b")));
                        }
                        throw stop;
                    }, "import"));
            assertSame(stop, thrown, "a runtime failure of the source comes out as it is");
            assertEquals(0, store.documents().count(p.id()));
            assertTrue(store.documents().list(p.id(), 0, 10).isEmpty());
            assertTrue(store.annotations().currentLabels(p.id()).isEmpty());
            assertTrue(store.annotations().list(p.id(), 0, 10).isEmpty());
            assertEquals(2, store.documents().add(p.id(), docs(2)::forEach, "import"), "the same ids go in afterwards");
            assertEquals(0, store.documents().find(p.id(), "d0").orElseThrow().row(), "rows start again from 0");
        }

        @Test
        void importedLabelsAreAnnotationsByTheImporter() {
            Project p = project();
            store.documents().add(p.id(), List.of(new Document("x", "t", List.of("a", "b")),
                    Document.unlabeled("y", "u"))::forEach, "seed");
            List<Annotation> log = store.annotations().list(p.id(), 0, 10);
            assertEquals(1, log.size(), "only the labeled document gets an annotation");
            Annotation a = log.get(0);
            assertEquals("seed", a.annotator());
            assertEquals("x", a.documentId());
            assertEquals(List.of("a", "b"), a.labels());
            assertFalse(a.skipped() || a.undone());
            assertNull(a.requestId());
        }

        @Test
        void anImportedNoneOfTheseIsALabeledRowWithNoLabels() {
            Project p = project();
            store.documents().add(p.id(), List.of(new Document("x", "t", List.of(), true),
                    Document.unlabeled("y", "u"))::forEach, "seed");
            assertEquals(Map.of(0, List.of()), store.annotations().currentLabels(p.id()));
            assertEquals(List.of(), store.annotations().currentLabels(p.id(), 0).orElseThrow());
            assertTrue(store.annotations().currentLabels(p.id(), 1).isEmpty(), "unlabeled stays unlabeled");
        }

        @Test
        void documentsAreReadByRowWindowIdAndRow() {
            Project p = project();
            store.documents().add(p.id(), docs(5)::forEach, "import");
            assertEquals(5, store.documents().count(p.id()));
            assertEquals(List.of(new Doc(1, "d1", "text 1"), new Doc(2, "d2", "text 2")),
                    store.documents().list(p.id(), 1, 2));
            assertEquals(List.of(new Doc(4, "d4", "text 4")), store.documents().list(p.id(), 4, 10));
            assertTrue(store.documents().list(p.id(), 5, 10).isEmpty());
            assertEquals(new Doc(3, "d3", "text 3"), store.documents().find(p.id(), "d3").orElseThrow());
            assertEquals(new Doc(3, "d3", "text 3"), store.documents().find(p.id(), 3).orElseThrow());
            assertTrue(store.documents().find(p.id(), "d9").isEmpty());
            assertTrue(store.documents().find(p.id(), 5).isEmpty());
        }

        @Test
        void anUnknownProjectHasNoDocuments() {
            assertEquals(0, store.documents().count(42));
            assertTrue(store.documents().list(42, 0, 10).isEmpty());
            assertTrue(store.documents().find(42, "d0").isEmpty());
            assertTrue(store.documents().find(42, 0).isEmpty());
        }

        @Test
        void documentIdsAreUniquePerProjectOnly() {
            Project p = project();
            Project q = project("q");
            store.documents().add(p.id(), docs(2)::forEach, "import");
            assertEquals(2, store.documents().add(q.id(), docs(2)::forEach, "import"));
            assertEquals("text 1", store.documents().find(q.id(), "d1").orElseThrow().text());
        }
    }

    @Nested
    class AnnotationsContract {

        @Test
        void labelsUndoAndSkips() {
            Project p = project();
            store.documents().add(p.id(), docs(3)::forEach, "import");
            store.annotations().add(p.id(), 0, "d0", List.of("a"), "ann", "r1");
            store.annotations().add(p.id(), 0, "d0", List.of("b"), "ann", "r2");
            store.annotations().add(p.id(), 1, "d1", null, "ann", "r3");
            assertEquals(Map.of(0, List.of("b")), store.annotations().currentLabels(p.id()));
            assertEquals(Set.of(1), store.annotations().skippedRows(p.id(), "ann"));
            assertTrue(store.annotations().skippedRows(p.id(), "other").isEmpty());
            Annotation undone = store.annotations().undoLatest(p.id(), "ann").orElseThrow();
            assertTrue(undone.skipped() && undone.undone());
            assertTrue(store.annotations().skippedRows(p.id(), "ann").isEmpty());
            store.annotations().undoLatest(p.id(), "ann");
            assertEquals(Map.of(0, List.of("a")), store.annotations().currentLabels(p.id()),
                    "undo goes back to the label before");
            assertEquals("r1", store.annotations().findByRequest(p.id(), "ann", "r1").orElseThrow().requestId());
            assertFalse(store.annotations().findByRequest(p.id(), "other", "r1").isPresent(),
                    "request ids are per annotator");
        }

        @Test
        void changesAreNumberedWhereServersShareTheDatabase() {
            Project p = project();
            store.documents().add(p.id(), docs(3)::forEach, "import");
            long before = store.annotations().lastChange(p.id());
            store.annotations().add(p.id(), 0, "d0", List.of("a"), "ann", "r1");
            store.annotations().add(p.id(), 1, "d1", null, "bob", "r2");
            store.annotations().undoLatest(p.id(), "ann");
            assertEquals(Map.of(), store.annotations().currentLabels(p.id(), List.of(0, 1, 2)), "undone, skipped, none");
            store.annotations().add(p.id(), 2, "d2", List.of("b"), "ann", "r3");
            assertEquals(Map.of(2, List.of("b")), store.annotations().currentLabels(p.id(), List.of(0, 2)));
            List<Records.Change> changes = store.annotations().changes(p.id(), before, List.of());
            if (!store.database().shared()) {
                assertEquals(List.of(), changes, "one server's own log needs no numbers");
                return;
            }
            assertEquals(List.of("1 bob skip", "0 ann undone", "2 ann"), changes.stream().map(c -> c.row() + " "
                    + c.annotator() + (c.skipped() ? " skip" : "") + (c.undone() ? " undone" : "")).toList(),
                    "in the order they happened, the undo as a change of its own");
            assertEquals(changes.get(2).seq(), store.annotations().lastChange(p.id()));
            assertEquals(List.of(changes.get(2)), store.annotations().changes(p.id(), changes.get(1).seq(), List.of()));
            assertEquals(List.of(changes.get(0)), store.annotations().changes(p.id(), changes.get(2).seq(),
                    List.of(changes.get(0).seq(), 1L << 40)), "asked for by number");
        }

        @Test
        void aReviewersReasonIsKeptInTheLog() {
            Project p = project();
            store.documents().add(p.id(), docs(2)::forEach, "import");
            Annotation first = store.annotations().add(p.id(), 0, "d0", List.of("a"), "ann", "r1");
            assertNull(first.reason(), "an annotator's label carries no reason");
            Annotation changed = store.annotations().add(p.id(), 0, "d0", List.of("b"), "rev", null,
                    "suspect label: the text asks for b");
            assertEquals("suspect label: the text asks for b", changed.reason());
            assertEquals(Map.of(0, List.of("b")), store.annotations().currentLabels(p.id()));
            List<Annotation> log = store.annotations().list(p.id(), 0, 10);
            assertEquals(2, log.size(), "both stay in the log");
            assertNull(log.get(0).reason());
            assertEquals("rev", log.get(1).annotator());
            assertEquals("suspect label: the text asks for b", log.get(1).reason());
            Annotation undone = store.annotations().undoLatest(p.id(), "rev").orElseThrow();
            assertEquals("suspect label: the text asks for b", undone.reason());
        }

        @Test
        void eachAnnotationSaysWhatItIsAndRowsAreReadWhole() {
            Project p = project();
            store.documents().add(p.id(), List.of(new Document("x", "t", List.of("a")), Document.unlabeled("y", "u"),
                    Document.unlabeled("z", "v"))::forEach, "seed");
            store.annotations().add(p.id(), 1, "y", List.of("a"), "ann", "r1");
            store.annotations().add(p.id(), 1, "y", null, "bob", "r2");
            store.annotations().add(p.id(), 1, "y", List.of("b"), "rev", null, "b, says the text");
            store.annotations().add(p.id(), 2, "z", List.of("b"), "ann", "r3");
            List<Annotation> rows = store.annotations().ofRows(p.id(), List.of(0, 1));
            assertEquals(List.of("import", "label", "label", "review"), rows.stream().map(Annotation::kind).toList());
            assertEquals(List.of("x", "y", "y", "y"), rows.stream().map(Annotation::documentId).toList());
            assertTrue(rows.get(1).standsAsOwnLabel() && !rows.get(2).standsAsOwnLabel()
                    && !rows.get(3).standsAsOwnLabel(), "a skip and a decision are no annotator's own label");
            assertEquals("review", store.annotations().undoLatest(p.id(), "rev").orElseThrow().kind());
            assertTrue(store.annotations().ofRows(p.id(), List.of()).isEmpty());
        }

        @Test
        void theTimeOnItemIsKeptAndAbsentWhenNotMeasured() {
            Project p = project();
            store.documents().add(p.id(), docs(3)::forEach, "import");
            Annotation timed = store.annotations().add(p.id(), 0, "d0", List.of("a"), "ann", "r1", null, 12.5);
            Annotation skip = store.annotations().add(p.id(), 1, "d1", null, "ann", "r2", null, 0.0);
            Annotation untimed = store.annotations().add(p.id(), 2, "d2", List.of("b"), "ann", "r3");
            assertEquals(12.5, timed.secondsOnItem());
            assertEquals(0.0, skip.secondsOnItem(), "zero is a measure, not a missing one");
            assertNull(untimed.secondsOnItem());
            List<Annotation> log = store.annotations().list(p.id(), 0, 10);
            assertEquals(List.of(timed, skip, untimed), log, "read back as stored");
            assertNull(store.annotations().undoLatest(p.id(), "ann").orElseThrow().secondsOnItem());
            assertEquals(0.0, store.annotations().undoLatest(p.id(), "ann").orElseThrow().secondsOnItem(),
                    "an undone annotation keeps its time: it was spent");
        }

        @Test
        void noneOfTheseIsALabelNotASkip() {
            Project p = project();
            store.documents().add(p.id(), docs(3)::forEach, "import");
            Annotation none = store.annotations().add(p.id(), 0, "d0", List.of(), "ann", "r1");
            store.annotations().add(p.id(), 1, "d1", null, "ann", "r2");
            assertFalse(none.skipped());
            assertEquals(List.of(), none.labels());
            assertEquals(Map.of(0, List.of()), store.annotations().currentLabels(p.id()));
            assertEquals(Set.of(1), store.annotations().skippedRows(p.id(), "ann"));
            assertEquals(List.of(false, true), store.annotations().list(p.id(), 0, 10).stream()
                    .map(Annotation::skipped).toList());
            store.annotations().add(p.id(), 0, "d0", List.of("a"), "ann", "r3");
            store.annotations().undoLatest(p.id(), "ann");
            assertEquals(List.of(), store.annotations().currentLabels(p.id(), 0).orElseThrow(),
                    "undo goes back to \"none of these\", not to unlabeled");
        }

        @Test
        void anAnnotationComesBackAsStored() {
            Project p = project();
            store.documents().add(p.id(), docs(2)::forEach, "import");
            Annotation a = store.annotations().add(p.id(), 1, "d1", List.of("a", "b"), "ann", "r1");
            assertEquals(1, a.row());
            assertEquals("d1", a.documentId());
            assertEquals(List.of("a", "b"), a.labels());
            assertFalse(a.skipped() || a.undone());
            assertNotNull(a.created());
            assertEquals(a, store.annotations().findByRequest(p.id(), "ann", "r1").orElseThrow());
            assertEquals(List.of(a), store.annotations().list(p.id(), 0, 10));
            assertEquals(List.of("a", "b"), store.annotations().currentLabels(p.id(), 1).orElseThrow());
            assertTrue(store.annotations().currentLabels(p.id(), 0).isEmpty(), "a row never labeled has none");
            Annotation skip = store.annotations().add(p.id(), 0, "d0", null, "ann", null);
            assertTrue(skip.skipped());
            assertEquals(List.of(), skip.labels());
            assertTrue(store.annotations().currentLabels(p.id(), 0).isEmpty(), "a skip is not a label");
        }

        @Test
        void aRepeatedRequestIdIsADuplicateAndStoresNothing() {
            Project p = project();
            store.documents().add(p.id(), docs(2)::forEach, "import");
            store.annotations().add(p.id(), 0, "d0", List.of("a"), "ann", "r1");
            assertThrows(DuplicateException.class,
                    () -> store.annotations().add(p.id(), 1, "d1", List.of("b"), "ann", "r1"));
            assertEquals(1, store.annotations().list(p.id(), 0, 10).size());
            assertEquals(Map.of(0, List.of("a")), store.annotations().currentLabels(p.id()));
            store.annotations().add(p.id(), 1, "d1", List.of("b"), "other", "r1");
            store.annotations().add(p.id(), 1, "d1", null, "ann", null);
            store.annotations().add(p.id(), 1, "d1", null, "ann", null);
            assertEquals(4, store.annotations().list(p.id(), 0, 10).size(),
                    "the same id from another annotator, and missing ids, are no duplicates");
        }

        @Test
        void aMissingRequestIdOrUnknownProjectFindsNothing() {
            Project p = project();
            store.documents().add(p.id(), docs(1)::forEach, "import");
            store.annotations().add(p.id(), 0, "d0", List.of("a"), "ann", null);
            assertTrue(store.annotations().findByRequest(p.id(), "ann", null).isEmpty());
            assertTrue(store.annotations().findByRequest(42, "ann", "r1").isEmpty());
            assertTrue(store.annotations().undoLatest(42, "ann").isEmpty());
            assertTrue(store.annotations().undoLatest(p.id(), "nobody").isEmpty());
            assertTrue(store.annotations().currentLabels(42).isEmpty());
            assertTrue(store.annotations().currentLabels(42, 0).isEmpty());
            assertTrue(store.annotations().skippedRows(42, "ann").isEmpty());
            assertTrue(store.annotations().list(42, 0, 10).isEmpty());
        }

        @Test
        void theLogPagesAndStreamsInOrderWithUndoneMarked() {
            Project p = project();
            store.documents().add(p.id(), docs(5)::forEach, "import");
            List<Annotation> added = new ArrayList<>();
            for (int row = 0; row < 5; row++) {
                added.add(store.annotations().add(p.id(), row, "d" + row, List.of("a"), "ann", "r" + row));
            }
            store.annotations().undoLatest(p.id(), "ann");
            List<Annotation> page = store.annotations().list(p.id(), added.get(1).id(), 2);
            assertEquals(List.of(added.get(2), added.get(3)), page);
            List<Annotation> all = new ArrayList<>();
            store.annotations().forEach(p.id(), all::add);
            assertEquals(added.subList(0, 4), all.subList(0, 4));
            assertTrue(all.get(4).undone(), "undone annotations stay in the log, marked");
            assertEquals(added.get(4).id(), all.get(4).id());
            assertEquals(all, store.annotations().list(p.id(), 0, 100));
            assertEquals(Map.of(0, List.of("a"), 1, List.of("a"), 2, List.of("a"), 3, List.of("a")),
                    store.annotations().currentLabels(p.id()));
        }

        @Test
        void concurrentLabelsAreGroupCommittedAndAFailureStaysItsOwn() throws Exception {
            Project p = project();
            store.documents().add(p.id(), docs(400)::forEach, "import");
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Annotation>> futures = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int row = i;
                // Every tenth request reuses a request id: only one of each pair may be stored.
                String request = row % 10 == 9 ? "dup-" + (row - 1) : "req-" + row;
                String dupOf = row % 10 == 8 ? "dup-" + row : request;
                futures.add(pool.submit(() -> store.annotations().add(p.id(), row, "d" + row, List.of("a"), "ann",
                        dupOf)));
            }
            int stored = 0;
            int duplicates = 0;
            for (Future<Annotation> f : futures) {
                try {
                    f.get();
                    stored++;
                } catch (ExecutionException e) {
                    assertTrue(e.getCause() instanceof DuplicateException, e.getCause().toString());
                    duplicates++;
                }
            }
            pool.shutdown();
            assertEquals(40, duplicates);
            assertEquals(360, stored);
            assertEquals(360, store.annotations().list(p.id(), 0, 1000).size());
        }
    }

    @Nested
    class ModelsContract {

        @Test
        void versionsAreListedInOrderAndAVersionIsReplaced() {
            Project p = project();
            store.models().add(p.id(), 2, 20, "{\"r\":2}");
            store.models().add(p.id(), 1, 10, "{\"r\":1}");
            List<ModelVersion> models = store.models().list(p.id());
            assertEquals(List.of(1, 2), models.stream().map(ModelVersion::version).toList());
            assertEquals(10, models.get(0).labelsUsed());
            assertEquals("{\"r\":1}", models.get(0).report());
            store.models().add(p.id(), 2, 25, "{\"r\":3}");
            ModelVersion replaced = store.models().list(p.id()).get(1);
            assertEquals(25, replaced.labelsUsed());
            assertEquals("{\"r\":3}", replaced.report());
            assertEquals(2, store.models().list(p.id()).size());
            assertTrue(store.models().list(42).isEmpty());
        }

        @Test
        void aVersionKeepsItsFilesAndTheLatestIsFound() {
            Project p = project();
            assertEquals(0, store.models().latest(p.id()));
            store.models().add(p.id(), 1, 10, "{}", Map.of("head.json", new byte[] {1, 2}, "w", new byte[] {0, -1}));
            store.models().add(p.id(), 2, 20, "{\"r\":2}");
            assertEquals(2, store.models().latest(p.id()));
            assertEquals(20, store.models().find(p.id(), 2).orElseThrow().labelsUsed());
            assertTrue(store.models().find(p.id(), 3).isEmpty());
            Map<String, byte[]> files = store.models().files(p.id(), 1);
            assertEquals(List.of("head.json", "w"), List.copyOf(files.keySet()));
            assertEquals(List.of((byte) 0, (byte) -1), List.of(files.get("w")[0], files.get("w")[1]));
            assertTrue(store.models().files(p.id(), 2).isEmpty());
            store.models().add(p.id(), 1, 11, "{}", Map.of("x", new byte[] {7}));
            assertEquals(List.of("x"), List.copyOf(store.models().files(p.id(), 1).keySet()), "replaced whole");
        }
    }

    @Nested
    class LeasesContract {

        private static final long NOW = 1_000_000L;

        @Test
        void aRowIsLeasedToOneAnnotatorUntilItExpires() {
            Project p = project();
            store.documents().add(p.id(), docs(4)::forEach, "import");
            Leases leases = store.leases();
            assertEquals(List.of(0, 1), leases.claim(p.id(), "ann", List.of(0, 1), NOW, NOW + 100, 10));
            assertEquals(List.of(2), leases.claim(p.id(), "bob", List.of(1, 2), NOW, NOW + 100, 20),
                    "row 1 is ann's");
            // Renewing keeps the order the lease was first handed out in.
            assertEquals(List.of(1), leases.claim(p.id(), "ann", List.of(1), NOW + 50, NOW + 150, 99));
            assertEquals(new Leases.Lease(1, "ann", NOW + 150, 11), leases.find(p.id(), 1).orElseThrow());
            assertEquals(Set.of(0, 1, 2), leases.live(p.id(), NOW + 60).stream().map(Leases.Lease::row)
                    .collect(java.util.stream.Collectors.toSet()));
            // Expired: rows 0 and 2 are free again, and not live; ann's renewed lease on row 1 is.
            assertEquals(Set.of(1), leases.live(p.id(), NOW + 120).stream().map(Leases.Lease::row)
                    .collect(java.util.stream.Collectors.toSet()));
            assertEquals(List.of(0), leases.claim(p.id(), "bob", List.of(0), NOW + 120, NOW + 200, 30));
            assertFalse(leases.release(p.id(), "ann", 0), "no longer ann's");
            assertTrue(leases.release(p.id(), "bob", 0));
            assertTrue(leases.find(p.id(), 0).isEmpty());
            assertThrows(IllegalArgumentException.class, () -> leases.claim(p.id(), "ann", List.of(3, 3), NOW, NOW, 0));
            assertEquals(List.of(), leases.claim(p.id(), "ann", List.of(), NOW, NOW, 0));
        }

        @Test
        void labeledAndSkippedRowsAreNotClaimed() {
            Project p = project();
            store.documents().add(p.id(), docs(4)::forEach, "import");
            Leases leases = store.leases();
            // Labeled in the log (by import, say) with no lease row: still not claimed.
            store.annotations().add(p.id(), 0, "d0", List.of("a"), "ann", "r1");
            store.annotations().add(p.id(), 1, "d1", null, "ann", "r2");
            assertEquals(List.of(1, 2), leases.claim(p.id(), "bob", List.of(0, 1, 2), NOW, NOW + 100, 0),
                    "a skip is the skipper's own: others may have the row");
            assertEquals(List.of(3), leases.claim(p.id(), "ann", List.of(1, 3), NOW + 200, NOW + 300, 0),
                    "ann skipped row 1");
            // Marked labeled: never claimed again, even once the lease has run out; taken back by an undo.
            leases.labeled(p.id(), 3);
            assertTrue(leases.find(p.id(), 3).isEmpty());
            assertEquals(List.of(), leases.claim(p.id(), "bob", List.of(3), NOW + 1000, NOW + 1100, 0));
            leases.leaseFirst(p.id(), "ann", 3, NOW + 1100, -5);
            assertEquals(new Leases.Lease(3, "ann", NOW + 1100, -5), leases.find(p.id(), 3).orElseThrow());
        }

        @Test
        void anOverlapRowGoesToEnoughDistinctAnnotatorsOneAfterAnother() {
            Project p = project();
            store.documents().add(p.id(), docs(4)::forEach, "import");
            Leases leases = store.leases();
            Leases.Overlap two = new Leases.Overlap(Set.of(0, 1, 3), 2);
            assertEquals(List.of(0, 2), leases.claim(p.id(), "ann", List.of(0, 2), NOW, NOW + 100, 0, two));
            store.annotations().add(p.id(), 0, "d0", List.of("a"), "ann", "r1");
            leases.overlapLabeled(p.id(), 0, 2);
            store.annotations().add(p.id(), 2, "d2", List.of("a"), "ann", "r2");
            leases.labeled(p.id(), 2);
            assertEquals(List.of(), leases.claim(p.id(), "ann", List.of(0), NOW + 1, NOW + 100, 0, two),
                    "never twice to one annotator");
            assertEquals(List.of(0), leases.claim(p.id(), "bob", List.of(0, 2), NOW + 1, NOW + 100, 0, two),
                    "the overlap row goes on to another annotator; the ordinary one is done");
            store.annotations().add(p.id(), 0, "d0", List.of("b"), "bob", "r3");
            leases.overlapLabeled(p.id(), 0, 2);
            assertTrue(leases.find(p.id(), 0).isEmpty(), "two annotators labeled it: marked labeled");
            assertEquals(List.of(), leases.claim(p.id(), "cat", List.of(0), NOW + 2, NOW + 100, 0, two));
            // The log alone decides too, with no lease rows: two labels, or a skip by the claimant.
            store.annotations().add(p.id(), 1, "d1", List.of("a"), "ann", "r4");
            store.annotations().add(p.id(), 1, "d1", List.of("a"), "bob", "r5");
            store.annotations().add(p.id(), 3, "d3", null, "cat", "r6");
            assertEquals(List.of(3), leases.claim(p.id(), "dan", List.of(1, 3), NOW, NOW + 100, 0, two),
                    "a skip is the skipper's own");
            assertEquals(List.of(), leases.claim(p.id(), "cat", List.of(1, 3), NOW + 200, NOW + 300, 0, two));
            // Undone: bob's label no longer counts, and row 1 is open again (not to ann).
            store.annotations().undoLatest(p.id(), "bob");
            assertEquals(List.of(1), leases.claim(p.id(), "cat", List.of(1), NOW + 200, NOW + 300, 0, two));
        }

        @Test
        void aReviewersDecisionOrAnImportClosesAnOverlapRow() {
            Project p = project();
            store.documents().add(p.id(), List.of(Document.unlabeled("d0", "t"), new Document("d1", "u",
                    List.of("a")))::forEach, "seed");
            Leases leases = store.leases();
            Leases.Overlap three = new Leases.Overlap(Set.of(0, 1), 3);
            store.annotations().add(p.id(), 0, "d0", List.of("a"), "ann", "r1");
            assertEquals(List.of(0), leases.claim(p.id(), "bob", List.of(0, 1), NOW, NOW + 100, 0, three),
                    "an imported label is no annotator's own: the row is not sent round");
            store.annotations().add(p.id(), 0, "d0", List.of("b"), "rev", null, "the text says b");
            leases.overlapLabeled(p.id(), 0, 3);
            assertTrue(leases.find(p.id(), 0).isEmpty(), "decided: marked labeled");
            assertEquals(List.of(), leases.claim(p.id(), "cat", List.of(0), NOW + 200, NOW + 300, 0, three));
        }

        @Test
        void labelingTakesTheRowUnlessAnotherHoldsIt() {
            Project p = project();
            store.documents().add(p.id(), docs(3)::forEach, "import");
            Leases leases = store.leases();
            leases.claim(p.id(), "ann", List.of(0), NOW, NOW + 100, 0);
            Leases.Lease held = leases.take(p.id(), "bob", 0, NOW, NOW + 100, 1).orElseThrow();
            assertEquals("ann", held.annotator());
            assertEquals(NOW + 100, held.expiresAtMillis());
            assertTrue(leases.take(p.id(), "ann", 0, NOW, NOW + 100, 1).isEmpty(), "her own");
            assertTrue(leases.take(p.id(), "bob", 0, NOW + 100, NOW + 200, 2).isEmpty(), "expired: bob takes it");
            assertTrue(leases.take(p.id(), "bob", 1, NOW, NOW + 100, 3).isEmpty(), "a row nobody holds");
            leases.labeled(p.id(), 1);
            assertTrue(leases.take(p.id(), "ann", 1, NOW, NOW + 100, 4).isEmpty(), "a labeled row may be relabeled");
            assertEquals("ann", leases.find(p.id(), 1).orElseThrow().annotator());
        }

        @Test
        void twoClaimsAtOnceLeaseEachRowOnce() throws Exception {
            Project p = project();
            store.documents().add(p.id(), docs(40)::forEach, "import");
            List<Integer> rows = java.util.stream.IntStream.range(0, 40).boxed().toList();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                List<java.util.concurrent.Future<List<Integer>>> claims = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String who = "ann" + i;
                    claims.add(pool.submit(() -> store.leases().claim(p.id(), who, rows, NOW, NOW + 100, 0)));
                }
                List<Integer> won = new java.util.ArrayList<>();
                for (java.util.concurrent.Future<List<Integer>> c : claims) {
                    won.addAll(c.get());
                }
                java.util.Collections.sort(won);
                assertEquals(rows, won, "every row leased exactly once");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Nested
    class RankingsContract {

        @Test
        void theLatestRankingIsKeptAndNumbered() {
            Project p = project();
            assertEquals(0, store.rankings().seq(p.id()));
            assertTrue(store.rankings().get(p.id()).isEmpty());
            store.rankings().put(p.id(), 3, "[1]");
            store.rankings().put(p.id(), 5, "[2]");
            assertEquals(new Rankings.Stored(2, 5, "[2]"), store.rankings().get(p.id()).orElseThrow());
            assertEquals(2, store.rankings().seq(p.id()));
        }
    }

    @Nested
    class JobsContract {

        @Test
        void aJobRunsAndKeepsItsResults() {
            Project p = project();
            Job queued = store.jobs().add("j1", p.id(), "predict", 3, "alice");
            assertEquals(new Job("j1", p.id(), "predict", "queued", 3, 0, queued.created(), null, null, "alice"),
                    queued);
            assertEquals(queued, store.jobs().find("j1").orElseThrow());
            store.jobs().update("j1", "running", 0, null);
            assertNull(store.jobs().find("j1").orElseThrow().finished(), "a running job is not finished");
            store.jobs().addResults("j1", 0, List.of("a", "b"));
            assertEquals(2, store.jobs().find("j1").orElseThrow().done(), "results carry the progress");
            store.jobs().addResults("j1", 2, List.of("c"));
            assertEquals(List.of("b", "c"), store.jobs().results("j1", 1, 10));
            assertEquals(List.of("a"), store.jobs().results("j1", 0, 1));
            store.jobs().update("j1", "failed", 3, "boom");
            Job failed = store.jobs().find("j1").orElseThrow();
            assertEquals("failed", failed.state());
            assertEquals("boom", failed.error());
            assertNotNull(failed.finished());
        }

        @Test
        void aBeatingJobIsKeptAndASilentOneFails() {
            Project p = project();
            store.jobs().add("live", p.id(), "predict", 3, "alice");
            store.jobs().add("dead", p.id(), "finetune", 0, "alice");
            store.jobs().add("over", p.id(), "predict", 1, "alice");
            store.jobs().update("over", "done", 1, null);
            store.jobs().beat(List.of("live", "over", "nope"));
            store.jobs().beat(List.of("live"));
            assertEquals(Set.of(new JobPulse("live", "predict", 0, 2), new JobPulse("dead", "finetune", 0, 0)),
                    Set.copyOf(store.jobs().unfinished()), "finished jobs are not listed, and only beats count");

            assertFalse(store.jobs().failIfSilent("live", 1, "gone"), "it beat since the heartbeat was read");
            assertEquals("queued", store.jobs().find("live").orElseThrow().state());
            assertTrue(store.jobs().failIfSilent("dead", 0, "gone"));
            Job dead = store.jobs().find("dead").orElseThrow();
            assertEquals("failed", dead.state());
            assertEquals("gone", dead.error());
            assertNotNull(dead.finished());
            assertFalse(store.jobs().failIfSilent("dead", 0, "again"), "a finished job is never failed again");
            assertFalse(store.jobs().failIfSilent("over", 0, "gone"));
            assertEquals("done", store.jobs().find("over").orElseThrow().state());
            store.jobs().beat(List.of());
        }

        @Test
        void jobsAreListedPerProjectAndUnknownOnesAreEmpty() {
            Project p = project();
            Project q = project("q");
            store.jobs().add("j1", p.id(), "predict", 1, "alice");
            store.jobs().add("j2", q.id(), "predict", 1, null);
            assertEquals(List.of("j1"), store.jobs().list(p.id()).stream().map(Job::id).toList());
            assertNull(store.jobs().find("j2").orElseThrow().owner());
            assertTrue(store.jobs().find("nope").isEmpty());
            assertTrue(store.jobs().list(42).isEmpty());
            assertTrue(store.jobs().results("nope", 0, 10).isEmpty());
        }

        @Test
        void aTakenIdIsADuplicate() {
            Project p = project();
            store.jobs().add("j1", p.id(), "predict", 1, "alice");
            assertThrows(DuplicateException.class, () -> store.jobs().add("j1", p.id(), "predict", 5, "bob"));
            assertEquals("alice", store.jobs().find("j1").orElseThrow().owner());
            store.jobs().addResults("j1", 0, List.of("a"));
            assertThrows(DuplicateException.class, () -> store.jobs().addResults("j1", 0, List.of("again", "b")));
            assertEquals(List.of("a"), store.jobs().results("j1", 0, 10), "a failed append stores no line");
            assertEquals(1, store.jobs().find("j1").orElseThrow().done());
        }
    }

    @Nested
    class TokensContract {

        @Test
        void tokensAreStoredAsHashes() {
            store.tokens().add("alice", "annotator", "ab".repeat(32));
            assertEquals("alice", store.tokens().findByHash("ab".repeat(32)).orElseThrow().name());
            assertThrows(DuplicateException.class, () -> store.tokens().add("alice", "admin", "cd".repeat(32)));
            assertTrue(store.tokens().delete("alice"));
            assertFalse(store.tokens().delete("alice"));
        }

        @Test
        void tokensAreListedAndFoundByHash() {
            store.tokens().add("bob", "admin", "cd".repeat(32));
            store.tokens().add("alice", "annotator", "ab".repeat(32));
            List<Token> all = store.tokens().list();
            assertEquals(2, all.size());
            assertEquals(Set.of("alice", "bob"), Set.copyOf(all.stream().map(Token::name).toList()));
            Map<String, Token> byHash = store.tokens().hashes();
            assertEquals(Set.of("ab".repeat(32), "cd".repeat(32)), byHash.keySet());
            assertEquals(new Token("bob", "admin", byHash.get("cd".repeat(32)).created()), byHash.get("cd".repeat(32)));
            assertEquals("annotator", byHash.get("ab".repeat(32)).role());
            assertTrue(store.tokens().findByHash("ef".repeat(32)).isEmpty());
        }

        @Test
        void aTakenHashIsADuplicate() {
            store.tokens().add("alice", "annotator", "ab".repeat(32));
            assertThrows(DuplicateException.class, () -> store.tokens().add("bob", "annotator", "ab".repeat(32)));
            assertEquals(List.of("alice"), store.tokens().list().stream().map(Token::name).toList());
        }
    }

    @Nested
    class MachineLabelsContract {

        private final MachineBatchSpec spec = new MachineBatchSpec(3, 2, 0.875, "admin", 99L);

        private List<MachineLabel> all(Project p, boolean withRevoked) {
            List<MachineLabel> out = new ArrayList<>();
            store.machineLabels().forEach(p.id(), withRevoked, out::add);
            return out;
        }

        private static MachineProposal on(int row, String label, int auditRank) {
            return new MachineProposal(row, List.of(label), 0.9 + row / 100.0, auditRank);
        }

        @Test
        void aBatchIsStoredWholeApartFromPeoplesAnnotations() {
            Project p = project();
            store.documents().add(p.id(), docs(4)::forEach, "import");
            MachineBatch b = store.machineLabels().accept(p.id(), spec, List.of(on(0, "a", 0), on(2, "b", 1),
                    on(3, "a", 0)));
            assertEquals(3, b.modelVersion());
            assertEquals(2, b.estimateVersion());
            assertEquals(0.875, b.threshold());
            assertEquals("admin", b.acceptedBy());
            assertEquals(99L, b.auditSeed());
            assertEquals(3, b.size());
            assertEquals(1, b.audits());
            assertEquals(0, b.revoked());
            assertEquals(List.of(b), store.machineLabels().batches(p.id()));
            assertEquals(b, store.machineLabels().batch(p.id(), b.id()).orElseThrow());

            List<MachineLabel> live = all(p, false);
            assertEquals(List.of(0, 2, 3), live.stream().map(MachineLabel::row).toList());
            MachineLabel second = live.get(1);
            assertEquals("d2", second.documentId());
            assertEquals(List.of("b"), second.labels());
            assertEquals(0.92, second.confidence(), 1e-12);
            assertEquals(1, second.auditRank());
            assertEquals(b.id(), second.batchId());
            assertEquals(b.created(), second.created());
            assertEquals(3, second.modelVersion());
            assertEquals("admin", second.acceptedBy());
            assertNull(second.revoked());
            // Nothing that reads people's labels sees a machine label.
            assertTrue(store.annotations().currentLabels(p.id()).isEmpty());
            assertTrue(store.annotations().list(p.id(), 0, 10).isEmpty());
            assertTrue(store.annotations().currentLabels(p.id(), 2).isEmpty());
        }

        @Test
        void aBatchOverALiveMachineLabelStoresNothing() {
            Project p = project();
            store.documents().add(p.id(), docs(4)::forEach, "import");
            store.machineLabels().accept(p.id(), spec, List.of(on(0, "a", 0), on(1, "b", 0)));
            assertThrows(DuplicateException.class, () -> store.machineLabels().accept(p.id(), spec,
                    List.of(on(2, "a", 0), on(1, "a", 0))));
            assertEquals(1, store.machineLabels().batches(p.id()).size(), "the failed batch is rolled back whole");
            assertEquals(List.of(0, 1), all(p, true).stream().map(MachineLabel::row).toList(), "row 2 was not kept");
        }

        @Test
        void revokingABatchOrAllKeepsTheRecordAndFreesTheRows() {
            Project p = project();
            store.documents().add(p.id(), docs(4)::forEach, "import");
            MachineBatch first = store.machineLabels().accept(p.id(), spec, List.of(on(0, "a", 1), on(1, "b", 0)));
            MachineBatch second = store.machineLabels().accept(p.id(), spec, List.of(on(2, "a", 0)));
            assertEquals(2, store.machineLabels().revoke(p.id(), first.id(), "admin"));
            assertEquals(0, store.machineLabels().revoke(p.id(), first.id(), "admin"), "a second revoke finds none");
            assertEquals(List.of(2), all(p, false).stream().map(MachineLabel::row).toList());
            List<MachineLabel> history = all(p, true);
            assertEquals(3, history.size(), "revoked labels stay on record");
            assertTrue(history.get(0).revoked() != null && history.get(1).revoked() != null);
            assertEquals(2, store.machineLabels().batch(p.id(), first.id()).orElseThrow().revoked());
            assertEquals(0, store.machineLabels().batch(p.id(), second.id()).orElseThrow().revoked());

            // A revoked row is free again; all at once takes what is live, of every batch.
            MachineBatch third = store.machineLabels().accept(p.id(), spec, List.of(on(0, "b", 0)));
            assertEquals(2, store.machineLabels().revoke(p.id(), null, "admin"));
            assertTrue(all(p, false).isEmpty());
            assertEquals(1, store.machineLabels().batch(p.id(), third.id()).orElseThrow().revoked());
            assertEquals(0, store.machineLabels().revoke(p.id(), null, "admin"));
        }

        @Test
        void batchesBelongToTheirProjectAndSurviveReopening() {
            Project p = project();
            Project other = project("other");
            store.documents().add(p.id(), docs(2)::forEach, "import");
            store.documents().add(other.id(), docs(2)::forEach, "import");
            MachineBatch b = store.machineLabels().accept(p.id(), spec, List.of(on(1, "a", 1)));
            assertTrue(store.machineLabels().batch(other.id(), b.id()).isEmpty());
            assertEquals(0, store.machineLabels().revoke(other.id(), b.id(), "admin"), "another project's batch");
            assertTrue(store.machineLabels().batches(other.id()).isEmpty());
            assertTrue(store.machineLabels().batch(p.id(), b.id() + 1).isEmpty());

            store.close();
            store = open(dir);
            assertEquals(List.of(b), store.machineLabels().batches(p.id()));
            assertEquals(List.of(1), all(p, false).stream().map(MachineLabel::row).toList());

            assertTrue(store.projects().delete(p.id()));
            assertTrue(store.machineLabels().batches(p.id()).isEmpty());
            assertTrue(all(p, true).isEmpty());
        }
    }
}
