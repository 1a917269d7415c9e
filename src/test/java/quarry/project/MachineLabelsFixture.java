package quarry.project;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import quarry.core.Document;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;
import quarry.store.Records.Label;

/**
 * A project whose first model has a safe-to-accept threshold, for the machine-label tests: a slice
 * of CLINC150's training split (from {@code ../shared/data}), five intents of 60 messages each, 20
 * of each labeled and the rest left for machine labels. Five distinct intents give a threshold
 * (held-out precision 100% over the 100 labels, measured) within seconds.
 */
public final class MachineLabelsFixture {

    static final int INTENTS = 5;
    static final int PER_INTENT = 60;
    static final int LABELED_PER_INTENT = 20;

    private MachineLabelsFixture() {
    }

    /** The slice: the first {@value #PER_INTENT} messages of each of the first intents in name order. */
    public static List<Document> slice() throws Exception {
        List<Document> all = DocumentImporter.read(sharedData().resolve("clinc150").resolve("train.jsonl"),
                ImportOptions.defaults()).documents();
        List<String> intents = new ArrayList<>(new TreeSet<>(all.stream().map(d -> d.labels().get(0)).toList()))
                .subList(0, INTENTS);
        Map<String, Integer> taken = new HashMap<>();
        return all.stream().filter(d -> intents.contains(d.labels().get(0))
                && taken.merge(d.labels().get(0), 1, Integer::sum) <= PER_INTENT).toList();
    }

    /**
     * {@code n} documents the fixture's project has not seen: half the next messages of its
     * intents, half messages of other intents (which its model cannot get right).
     */
    public static List<Document> unseen(int n) throws Exception {
        List<Document> all = DocumentImporter.read(sharedData().resolve("clinc150").resolve("train.jsonl"),
                ImportOptions.defaults()).documents();
        java.util.Set<String> seen = new java.util.HashSet<>(slice().stream().map(Document::id).toList());
        java.util.Set<String> intents = new java.util.HashSet<>(slice().stream().map(d -> d.labels().get(0)).toList());
        List<Document> known = all.stream().filter(d -> intents.contains(d.labels().get(0)) && !seen.contains(d.id()))
                .limit(n / 2).toList();
        List<Document> others = all.stream().filter(d -> !intents.contains(d.labels().get(0))).limit(n - known.size())
                .toList();
        List<Document> out = new ArrayList<>(known);
        out.addAll(others);
        return out;
    }

    private static Path sharedData() {
        String property = System.getProperty("quarry.sharedData");
        return property != null ? Path.of(property) : Path.of("..", "shared", "data");
    }

    /** Creates the project, imports the slice and waits for its first model and its threshold. */
    public static ProjectSession create(Workspace w, String name, ProjectSettings settings, Path dir)
            throws Exception {
        return create(w, name, null, settings, dir);
    }

    /** As above, on encoder {@code encoder} (null: the default). */
    public static ProjectSession create(Workspace w, String name, String encoder, ProjectSettings settings, Path dir)
            throws Exception {
        List<Document> docs = slice();
        List<Label> labels = new ArrayList<>();
        new TreeSet<>(docs.stream().map(d -> d.labels().get(0)).toList())
                .forEach(n -> labels.add(new Label(labels.size(), n, null)));
        ProjectSession s = w.createProject(name, false, encoder, labels, settings);
        Map<String, Integer> seen = new HashMap<>();
        List<String> lines = new ArrayList<>();
        for (Document d : docs) {
            boolean labeled = seen.merge(d.labels().get(0), 1, Integer::sum) <= LABELED_PER_INTENT;
            lines.add(Json.write(labeled ? Map.of("id", d.id(), "text", d.text(), "label", d.labels().get(0))
                    : Map.of("id", d.id(), "text", d.text())));
        }
        Path file = dir.resolve(name + ".jsonl");
        Files.write(file, lines);
        w.importDocuments(s, file);
        await("a safe-to-accept threshold", () -> {
            Views.Report r = s.lastReport();
            return r != null && r.safeToAccept() != null && !s.modelStatus().training();
        });
        if (!s.lastReport().safeToAccept().found()) {
            throw new AssertionError("the fixture's model has no threshold: " + s.lastReport().safeToAccept());
        }
        return s;
    }

    public static void await(String what, BooleanSupplier check) throws InterruptedException {
        ProjectSessionTest.await(what, check);
    }
}
