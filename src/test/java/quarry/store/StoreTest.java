package quarry.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.core.Document;
import quarry.store.Records.Annotation;
import quarry.store.Records.Label;
import quarry.store.Records.Project;

@Tag("integration")
class StoreTest {

    @TempDir
    Path dir;

    private Project project(Store s) {
        return s.createProject("p", false, "enc", List.of(new Label(0, "a", null), new Label(1, "b", "bee")), "{}");
    }

    private static List<Document> docs(int n) {
        List<Document> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Document.unlabeled("d" + i, "text " + i));
        }
        return out;
    }

    @Test
    void schemaIsMigratedOnceAndUsesWal() throws Exception {
        Database db = Database.sqlite(dir);
        assertEquals(Database.latestVersion(), db.schemaVersion());
        Database again = Database.sqlite(dir);
        assertEquals(Database.latestVersion(), again.schemaVersion());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("quarry.db"));
                Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("PRAGMA journal_mode")) {
                r.next();
                assertEquals("wal", r.getString(1));
            }
            try (ResultSet r = s.executeQuery("SELECT COUNT(*) FROM schema_version")) {
                r.next();
                assertEquals(Database.latestVersion(), r.getInt(1), "each migration runs once");
            }
        }
    }

    @Test
    void aVersionOneDatabaseIsUpgradedKeepingItsData() throws Exception {
        String v1 = new String(Database.class.getResourceAsStream("V1__init.sql").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("quarry.db"));
                Statement s = c.createStatement()) {
            for (String sql : v1.split("\n;\n")) {
                if (!sql.isBlank()) {
                    s.execute(sql.lines().filter(l -> !l.startsWith("--")).reduce("", (x, y) -> x + "\n" + y));
                }
            }
            s.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied TEXT NOT NULL)");
            s.execute("INSERT INTO schema_version VALUES (1, 'then')");
            s.execute("INSERT INTO projects (name, multi_label, encoder, settings, created) VALUES ('old', 0, 'e', '{}', 't')");
            s.execute("INSERT INTO jobs (id, project_id, kind, state, total, done, created) VALUES ('j1', 1, 'predict',"
                    + " 'done', 3, 3, 't')");
        }
        Database db = Database.sqlite(dir);
        assertEquals(2, db.schemaVersion());
        try (Store s = new Store(db)) {
            assertEquals("old", s.projects().get(0).name());
            assertEquals(null, s.job("j1").orElseThrow().owner(), "old jobs have no owner");
            s.addJob("j2", 1, "predict", 5, "alice");
            assertEquals("alice", s.job("j2").orElseThrow().owner());
        }
    }

    @Test
    void aNewerSchemaIsRefusedByName() throws Exception {
        Database.sqlite(dir);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("quarry.db"));
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO schema_version VALUES (99, 'later')");
        }
        StoreException e = assertThrows(StoreException.class, () -> Database.sqlite(dir));
        assertTrue(e.getMessage().contains("schema version 99"), e.getMessage());
    }

    @Test
    void importsAreAllOrNothing() {
        try (Store s = new Store(Database.sqlite(dir))) {
            Project p = project(s);
            assertEquals(3, s.addDocuments(p.id(), docs(3)::forEach, "import"));
            List<Document> clash = new ArrayList<>(List.of(Document.unlabeled("new", "x"),
                    new Document("withLabel", "y", List.of("a")), Document.unlabeled("d1", "again")));
            DuplicateException e = assertThrows(DuplicateException.class,
                    () -> s.addDocuments(p.id(), clash::forEach, "import"));
            assertTrue(e.getMessage().contains("'d1'"), e.getMessage());
            assertEquals(3, s.documentCount(p.id()), "nothing of the failed import is kept");
            assertTrue(s.currentLabels(p.id()).isEmpty(), "nor its labels");
            Store.SourceException failed = assertThrows(Store.SourceException.class, () -> s.addDocuments(p.id(),
                    sink -> {
                        sink.accept(Document.unlabeled("z1", "fine"));
                        throw new java.io.IOException("disk gone");
                    }, "import"));
            assertTrue(failed.getMessage().contains("disk gone"));
            assertEquals(3, s.documentCount(p.id()));
            assertEquals(2, s.addDocuments(p.id(), List.of(new Document("l1", "t", List.of("b")),
                    Document.unlabeled("l2", "u"))::forEach, "import"));
            assertEquals(Map.of(3, List.of("b")), s.currentLabels(p.id()));
            assertEquals("l2", s.document(p.id(), 4).orElseThrow().id());
        }
    }

    @Test
    void labelsUndoAndSkips() {
        try (Store s = new Store(Database.sqlite(dir))) {
            Project p = project(s);
            s.addDocuments(p.id(), docs(3)::forEach, "import");
            s.addAnnotation(p.id(), 0, "d0", List.of("a"), "ann", "r1");
            s.addAnnotation(p.id(), 0, "d0", List.of("b"), "ann", "r2");
            s.addAnnotation(p.id(), 1, "d1", null, "ann", "r3");
            assertEquals(Map.of(0, List.of("b")), s.currentLabels(p.id()));
            assertEquals(java.util.Set.of(1), s.skippedRows(p.id(), "ann"));
            assertTrue(s.skippedRows(p.id(), "other").isEmpty());
            Annotation undone = s.undoLatest(p.id(), "ann").orElseThrow();
            assertTrue(undone.skipped() && undone.undone());
            assertTrue(s.skippedRows(p.id(), "ann").isEmpty());
            s.undoLatest(p.id(), "ann");
            assertEquals(Map.of(0, List.of("a")), s.currentLabels(p.id()), "undo goes back to the label before");
            assertEquals("r1", s.annotationByRequest(p.id(), "ann", "r1").orElseThrow().requestId());
            assertFalse(s.annotationByRequest(p.id(), "other", "r1").isPresent(), "request ids are per annotator");
        }
    }

    @Test
    void concurrentLabelsAreGroupCommittedAndAFailureStaysItsOwn() throws Exception {
        try (Store s = new Store(Database.sqlite(dir))) {
            Project p = project(s);
            s.addDocuments(p.id(), docs(400)::forEach, "import");
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Annotation>> futures = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int row = i;
                // Every tenth request reuses a request id: only one of each pair may be stored.
                String request = row % 10 == 9 ? "dup-" + (row - 1) : "req-" + row;
                String dupOf = row % 10 == 8 ? "dup-" + row : request;
                futures.add(pool.submit(() -> s.addAnnotation(p.id(), row, "d" + row, List.of("a"), "ann", dupOf)));
            }
            int stored = 0;
            int duplicates = 0;
            for (Future<Annotation> f : futures) {
                try {
                    f.get();
                    stored++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertTrue(e.getCause() instanceof DuplicateException, e.getCause().toString());
                    duplicates++;
                }
            }
            pool.shutdown();
            assertEquals(40, duplicates);
            assertEquals(360, stored);
            assertEquals(360, s.annotations(p.id(), 0, 1000).size());
        }
    }

    @Test
    void tokensAreStoredAsHashes() {
        try (Store s = new Store(Database.sqlite(dir))) {
            s.insertToken("alice", "annotator", "ab".repeat(32));
            assertEquals("alice", s.tokenByHash("ab".repeat(32)).orElseThrow().name());
            assertThrows(DuplicateException.class, () -> s.insertToken("alice", "admin", "cd".repeat(32)));
            assertTrue(s.deleteToken("alice"));
            assertFalse(s.deleteToken("alice"));
        }
    }
}
