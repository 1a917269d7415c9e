package quarry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import quarry.project.Json;
import quarry.project.ProjectSession;
import quarry.project.ProjectSettings;
import quarry.project.Views;
import quarry.project.Workspace;
import quarry.store.Records.Label;
import quarry.store.postgres.PostgresServer;

/**
 * Overlap and agreement with the workspace's data in PostgreSQL: the same tests, and two servers on
 * one database, where the rule that an overlap document goes to two annotators and no third holds
 * in the database's claim even when a server has not yet heard of the other's label.
 */
@Tag("integration")
class PostgresAgreementApiTest extends AgreementApiTest {

    @Override
    protected Workspace open(Path ws) {
        return Workspace.open(ws, false, PostgresServer.databaseFor(ws));
    }

    @Test
    void twoServersSendAnOverlapDocumentToTwoAnnotatorsAndNoThird() throws Exception {
        String url = PostgresServer.databaseFor(dir.resolve("db"));
        try (Workspace w1 = Workspace.open(dir.resolve("a"), false, url);
                Workspace w2 = Workspace.open(dir.resolve("b"), false, url)) {
            ProjectSettings two = Json.MAPPER.convertValue(Map.of("overlapShare", 1.0, "overlapAnnotators", 2,
                    "retrainEvery", 1000, "retrainSeconds", 3600), ProjectSettings.class);
            ProjectSession p1 = w1.createProject("agree", false, "all-minilm-l6-v2", List.of(new Label(0, "a", null),
                    new Label(1, "b", null)), two);
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                lines.add(Http.JSON.writeValueAsString(Map.of("id", "d" + i, "text", "message " + i)));
            }
            Path file = dir.resolve("docs.jsonl");
            Files.write(file, lines);
            w1.importDocuments(p1, file);
            Http.await("the project on the second server", 30, () -> w2.projects().size() == 1);
            ProjectSession p2 = w2.project("agree");
            Http.await("embedding on both", 120, () -> p1.embeddedCount() == 8 && p2.embeddedCount() == 8);

            String first = p1.next("alice", 1).get(0).id();
            p1.annotate("alice", first, List.of("a"), "r1");
            int row = p1.document(first).row();
            // The second server re-reads the row's annotations before its label book hears of the label.
            Http.await("the label on the second server", 30, () -> p2.labels().isLabeled(row));
            assertFalse(p2.next("alice", 1).get(0).id().equals(first), "never twice to one annotator");
            assertEquals(first, p2.next("bob", 1).get(0).id(), "waiting for a second annotator: first in bob's queue");
            p2.annotate("bob", first, List.of("b"), "r2");
            // The first server may not have heard of bob's label yet (it polls every second): the claim refuses.
            List<String> carls = p1.next("carl", 8).stream().map(Views.QueueItem::id).toList();
            assertFalse(carls.contains(first), "two annotators labeled it: not for a third " + carls);
            assertEquals(6, carls.size(), "all but that one and the one alice holds");
        }
    }
}
