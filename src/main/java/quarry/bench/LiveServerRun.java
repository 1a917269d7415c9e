package quarry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import quarry.bench.LiveResult.Ack;
import quarry.bench.LiveResult.Data;
import quarry.bench.LiveResult.Trace;
import quarry.bench.LiveResult.Version;
import quarry.project.Workspace;
import quarry.server.Server;

/**
 * One repeat of {@code bench live} through a real server in this process: a fresh workspace in a
 * temporary folder, the pool imported over REST in file order, annotators labeling from the moment
 * embedding is done, then every saved model version scored offline before the folder is deleted.
 */
final class LiveServerRun {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "live";
    private static final String PATH = "/api/projects/" + PROJECT;
    private static final long IDLE_WAIT_MILLIS = 5 * 60 * 1000;

    /** What one repeat produced. */
    record Outcome(Trace trace, List<Version> versions) {
    }

    /**
     * @param seedRows   pool rows imported with their gold label before labeling starts
     * @param labels     labels to store in all, the imported ones included
     * @param seed       the project's {@code seed} setting
     */
    static Outcome run(Data data, int[] seedRows, int annotators, long paceMillis, int labels, long seed)
            throws Exception {
        Path dir = Files.createTempDirectory("quarry-bench-live");
        try {
            Trace trace;
            JsonNode versions;
            try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
                Server app = Server.start(w, "127.0.0.1", 0, 1L << 30);
                try {
                    RestClient rest = new RestClient(URI.create("http://localhost:" + app.port()));
                    String admin = w.firstAdminToken();
                    List<String> tokens = new ArrayList<>();
                    for (int i = 0; i < annotators; i++) {
                        tokens.add(w.createToken("annotator" + i, "annotator"));
                    }
                    rest.expect(admin, "POST", "/api/projects", JSON.writeValueAsString(Map.of("name", PROJECT,
                            "labels", data.schema(), "settings", Map.of("seed", seed))));
                    for (int i = 0; i < annotators; i++) {
                        w.addMember(PROJECT, "annotator" + i);
                    }
                    rest.expect(admin, "POST", PATH + "/documents", jsonl(data, seedRows));
                    rest.awaitEmbedded(admin, PATH);
                    Map<String, String> gold = new HashMap<>();
                    for (int row = 0; row < data.ids().size(); row++) {
                        gold.put(data.ids().get(row), data.schema().get(data.poolClass()[row]));
                    }
                    trace = new LiveAnnotators(rest, PATH, gold, paceMillis).run(tokens, admin,
                            labels - seedRows.length);
                    if (!rest.awaitTrained(admin, PATH, IDLE_WAIT_MILLIS)) {
                        System.err.println("warning: the model was still training or behind the labels after 5"
                                + " minutes");
                    }
                    versions = rest.expect(admin, "GET", PATH + "/model/versions", null).json();
                } finally {
                    app.close();
                }
            }
            return new Outcome(trace, LiveEvaluation.score(data, modelsDir(dir.resolve("ws")), versions,
                    labelOrder(seedRows, trace.acks())));
        } finally {
            Folders.deleteTree(dir);
        }
    }

    /** The pool in file order, never shuffled: a file sorted by label is what this benchmark must expose. */
    private static String jsonl(Data data, int[] seedRows) throws IOException {
        boolean[] seeded = new boolean[data.ids().size()];
        for (int row : seedRows) {
            seeded[row] = true;
        }
        StringBuilder out = new StringBuilder();
        for (int row = 0; row < data.ids().size(); row++) {
            Map<String, String> line = new LinkedHashMap<>();
            line.put("id", data.ids().get(row));
            line.put("text", data.texts().get(row));
            if (seeded[row]) {
                line.put("label", data.schema().get(data.poolClass()[row]));
            }
            out.append(JSON.writeValueAsString(line)).append('\n');
        }
        return out.toString();
    }

    /** Imported labels first, then the annotators' in the order the server stored them (annotation ids). */
    private static int[] labelOrder(int[] seedRows, List<Ack> acks) {
        List<Ack> sorted = new ArrayList<>(acks);
        sorted.sort(Comparator.comparingLong(Ack::annotationId));
        int[] order = new int[seedRows.length + sorted.size()];
        System.arraycopy(seedRows, 0, order, 0, seedRows.length);
        for (int i = 0; i < sorted.size(); i++) {
            order[seedRows.length + i] = sorted.get(i).row();
        }
        return order;
    }

    /** The one project's models folder: {@code <workspace>/projects/<project id>/models}. */
    private static Path modelsDir(Path workspace) throws IOException {
        try (Stream<Path> projects = Files.list(workspace.resolve("projects"))) {
            List<Path> dirs = projects.filter(Files::isDirectory).toList();
            if (dirs.size() != 1) {
                throw new IllegalStateException("expected one project folder in " + workspace + ", found " + dirs);
            }
            return dirs.get(0).resolve("models");
        }
    }
}
