package quarry.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import quarry.store.Database;
import quarry.store.Records.Job;
import quarry.store.Records.Label;
import quarry.store.Store;

/**
 * Two servers' job watches over one database (one store here; the SQL is checked on PostgreSQL by
 * the store contract): a job whose server keeps beating is never failed, however long it runs;
 * one whose server died is failed once its heartbeat has stood still for the silent time, with
 * the words its kind calls for; finished jobs are left alone.
 */
@Tag("integration")
class JobWatchTest {

    private static final long SILENT = 1_000;

    @TempDir
    Path dir;

    private Store store;
    private long project;

    @BeforeEach
    void open() {
        store = new Store(Database.sqlite(dir));
        project = store.projects().create("p", false, "enc", List.of(new Label(0, "a", null)), "{}").id();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aDeadServersJobsFailAndALiveServersJobsRun() {
        Set<String> heldByA = ConcurrentHashMap.newKeySet();
        JobWatch a = new JobWatch(store.jobs(), () -> heldByA, SILENT);
        JobWatch b = new JobWatch(store.jobs(), List::of, SILENT);
        heldByA.add("long");
        store.jobs().add("long", project, "predict", 10, "alice");
        store.jobs().update("long", "running", 0, null);
        store.jobs().add("orphan", project, "predict", 10, "alice");
        store.jobs().add("tune", project, PredictionJobs.FINETUNE, 0, "alice");
        store.jobs().add("finished", project, "predict", 1, "alice");
        store.jobs().update("finished", "done", 1, null);

        // A runs its job for far longer than the silent time, beating all along; B looks on.
        for (long t = 0; t < 5 * SILENT; t += SILENT / 4) {
            a.tick(t);
            List<String> failed = b.tick(t);
            if (t < SILENT) {
                assertEquals(List.of(), failed, "nothing is silent yet at " + t);
            } else if (!failed.isEmpty()) {
                assertEquals(Set.of("orphan", "tune"), Set.copyOf(failed), "at " + t);
            }
        }
        assertEquals("running", state("long"), "a beating job is never failed");
        assertEquals("done", state("finished"));
        Job orphan = store.jobs().find("orphan").orElseThrow();
        assertEquals("failed", orphan.state());
        assertEquals(PredictionJobs.stoppedMessage("predict"), orphan.error());
        assertTrue(store.jobs().find("tune").orElseThrow().error().contains("kept its encoder"));

        // A dies: its job goes silent and B fails it, no sooner than the silent time after the last beat.
        long last = 5 * SILENT;
        a.tick(last);
        assertEquals(List.of(), b.tick(last + 1));
        assertEquals(List.of(), b.tick(last + SILENT / 2));
        assertEquals("running", state("long"));
        assertEquals(List.of("long"), b.tick(last + SILENT + 1));
        assertEquals("failed", state("long"));
    }

    @Test
    void aJobAServerHoldsIsNeverFailedByItsOwnWatch() {
        JobWatch only = new JobWatch(store.jobs(), () -> List.of("mine"), SILENT);
        store.jobs().add("mine", project, "predict", 1, "alice");
        for (long t = 0; t < 4 * SILENT; t += SILENT) {
            assertEquals(List.of(), only.tick(t));
        }
        assertEquals("queued", state("mine"));
    }

    private String state(String id) {
        return store.jobs().find(id).orElseThrow().state();
    }
}
