package quarry.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Document;
import quarry.store.Database;
import quarry.store.DuplicateException;
import quarry.store.Records.Annotation;
import quarry.store.Records.Doc;
import quarry.store.Records.Label;
import quarry.store.Records.Project;
import quarry.store.Store;

/**
 * Two stores on one PostgreSQL database, as two server processes would have: what SQLite's single
 * writer guarantees inside one process must hold here through the database's own locks and keys.
 */
@Tag("integration")
class PostgresConcurrencyTest {

    @TempDir
    Path dir;

    private Store one;
    private Store two;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @BeforeEach
    void open() {
        String url = PostgresServer.databaseFor(dir);
        one = new Store(Database.postgres(url));
        two = new Store(Database.postgres(url));
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        one.close();
        two.close();
    }

    private Store either(int i) {
        return i % 2 == 0 ? one : two;
    }

    private <T> List<Future<T>> all(int n, java.util.function.IntFunction<Callable<T>> task) {
        List<Future<T>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(pool.submit(task.apply(i)));
        }
        return out;
    }

    @Test
    void importsAtOnceNumberRowsWithoutGapsOrClashes() throws Exception {
        Project p = one.projects().create("p", false, "enc", List.of(new Label(0, "a", null)), "{}");
        List<Future<Integer>> imports = all(8, i -> () -> {
            List<Document> docs = new ArrayList<>();
            for (int k = 0; k < 300; k++) {
                docs.add(new Document("i" + i + "-" + k, "text", k % 3 == 0 ? List.of("a") : List.of()));
            }
            return either(i).documents().add(p.id(), docs::forEach, "import");
        });
        for (Future<Integer> f : imports) {
            assertEquals(300, f.get());
        }
        assertEquals(2400, two.documents().count(p.id()));
        List<Doc> rows = one.documents().list(p.id(), 0, 5000);
        for (int r = 0; r < rows.size(); r++) {
            assertEquals(r, rows.get(r).row(), "rows are numbered 0.. without gaps");
        }
        assertEquals(800, one.annotations().currentLabels(p.id()).size(), "each imported label on its own row");
    }

    @Test
    void aRequestIdSentToBothServersIsStoredOnce() throws Exception {
        Project p = one.projects().create("p", false, "enc", List.of(new Label(0, "a", null)), "{}");
        one.documents().add(p.id(), List.of(Document.unlabeled("d", "t"))::forEach, "import");
        // Each request id arrives twice, once at each store, at the same time.
        List<Future<Annotation>> sent = all(200, i -> () -> either(i).annotations().add(p.id(), 0, "d", List.of("a"),
                "ann", "req-" + i / 2));
        int stored = 0;
        int duplicates = 0;
        for (Future<Annotation> f : sent) {
            try {
                f.get();
                stored++;
            } catch (ExecutionException e) {
                assertTrue(e.getCause() instanceof DuplicateException, e.getCause().toString());
                assertTrue(e.getCause().getMessage().startsWith("annotation with request id 'req-"),
                        e.getCause().getMessage());
                duplicates++;
            }
        }
        assertEquals(100, stored);
        assertEquals(100, duplicates);
        assertEquals(100, two.annotations().list(p.id(), 0, 1000).size());
    }

    @Test
    void undosAtOnceEachTakeAnotherAnnotation() throws Exception {
        Project p = one.projects().create("p", false, "enc", List.of(new Label(0, "a", null)), "{}");
        List<Document> docs = new ArrayList<>();
        for (int k = 0; k < 30; k++) {
            docs.add(Document.unlabeled("d" + k, "t"));
        }
        one.documents().add(p.id(), docs::forEach, "import");
        for (int k = 0; k < 30; k++) {
            (k % 2 == 0 ? one : two).annotations().add(p.id(), k, "d" + k, List.of("a"), "ann", "r" + k);
        }
        List<Future<Optional<Annotation>>> undos = all(20, i -> () -> either(i).annotations().undoLatest(p.id(),
                "ann"));
        Set<Long> undone = new HashSet<>();
        for (Future<Optional<Annotation>> f : undos) {
            Annotation a = f.get().orElseThrow();
            assertTrue(a.undone());
            assertTrue(undone.add(a.id()), "annotation " + a.id() + " undone twice");
        }
        assertEquals(10, one.annotations().currentLabels(p.id()).size(), "the 20 latest were undone, the 10 first"
                + " stand");
        assertTrue(one.annotations().currentLabels(p.id()).keySet().stream().allMatch(row -> row < 10));
    }
}
