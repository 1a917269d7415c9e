package quarry.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.core.Document;
import quarry.core.Sampling;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;
import quarry.encode.Encoders;
import quarry.project.Json;
import quarry.project.ProjectSession;
import quarry.project.ProjectSettings;
import quarry.project.Views;
import quarry.project.Workspace;
import quarry.store.Records.Label;

@Command(name = "agreement", mixinStandardHelpOptions = true,
        description = {"Overlap and agreement through a real project session: two simulated annotators take turns at "
                + "the queue of a project that sends a share of its documents to both. One gives each document its "
                + "data set label; the other gives another label, uniformly, to a seeded share of the documents it "
                + "gets. Reports Krippendorff's alpha and Cohen's kappa on the documents both labeled against the "
                + "value the flip rate predicts, and checks that no document went twice to one annotator or to more "
                + "than two. Label 'oos' is dropped."})
final class AgreementBenchCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data/clinc150",
            description = "data set folder with test.jsonl (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--docs", paramLabel = "N", defaultValue = "1000", description = "documents in the pool")
    int docs;

    @Option(names = "--labels", paramLabel = "N", defaultValue = "400", description = "labels each annotator gives")
    int labels;

    @Option(names = "--share", paramLabel = "SHARE", defaultValue = "0.5", description = "the project's overlapShare")
    double share;

    @Option(names = "--flip", paramLabel = "SHARE", defaultValue = "0.1",
            description = "share of its documents the second annotator labels wrong (default: ${DEFAULT-VALUE})")
    double flip;

    @Option(names = "--seed", defaultValue = "7")
    long seed;

    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = "all-minilm-l6-v2-q")
    String encoder;

    @Override
    public Integer call() throws Exception {
        if (!(share > 0 && share <= 1) || !(flip >= 0 && flip < 1) || docs < 2 || labels < 1) {
            throw new IllegalArgumentException("--share in (0, 1], --flip in [0, 1), --docs >= 2 and --labels >= 1");
        }
        List<Document> all = DocumentImporter.read(data.resolve("test.jsonl"), ImportOptions.defaults()).documents()
                .stream().filter(d -> d.labels().size() == 1 && !d.labels().get(0).equals("oos")).toList();
        List<Document> pool = new ArrayList<>();
        for (int i : Sampling.sample(all.size(), Math.min(docs, all.size()), seed)) {
            pool.add(all.get(i));
        }
        List<String> names = new ArrayList<>(new TreeSet<>(all.stream().map(d -> d.labels().get(0)).toList()));
        Map<String, String> gold = new HashMap<>();
        pool.forEach(d -> gold.put(d.id(), d.labels().get(0)));
        Path dir = Files.createTempDirectory("quarry-agreement-");
        try (Workspace w = Workspace.open(dir.resolve("ws"), false)) {
            ProjectSession p = w.createProject("agree", false, encoder, labelsOf(names), Json.MAPPER.convertValue(
                    Map.of("overlapShare", share, "overlapAnnotators", 2, "seed", seed, "retrainEvery", 50),
                    ProjectSettings.class));
            List<String> lines = new ArrayList<>();
            for (Document d : pool) {
                lines.add(Json.write(Map.of("id", d.id(), "text", d.text())));
            }
            Files.write(dir.resolve("pool.jsonl"), lines);
            w.importDocuments(p, dir.resolve("pool.jsonl"));
            while (p.embeddedCount() < pool.size()) {
                Thread.sleep(200);
            }
            long start = System.nanoTime();
            SplittableRandom random = new SplittableRandom(seed);
            Map<String, Set<String>> byDocument = new HashMap<>();
            int twice = 0;
            int flipped = 0;
            for (int turn = 0; turn < 2 * labels; turn++) {
                String who = turn % 2 == 0 ? "truthful" : "flipper";
                List<Views.QueueItem> next = p.next(who, 1);
                if (next.isEmpty()) {
                    continue;
                }
                String doc = next.get(0).id();
                String label = gold.get(doc);
                if (who.equals("flipper") && random.nextDouble() < flip) {
                    label = names.get((names.indexOf(label) + 1 + random.nextInt(names.size() - 1)) % names.size());
                    flipped++;
                }
                if (!byDocument.computeIfAbsent(doc, d -> new HashSet<>()).add(who)) {
                    twice++;
                }
                p.annotate(who, doc, List.of(label), who + "-" + turn);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long overTwo = byDocument.values().stream().filter(s -> s.size() > 2).count();
            Views.Agreement a = p.agreement("bench", true);
            Views.PairAgreement pair = a.pairs().isEmpty() ? null : a.pairs().get(0);
            // Chance agreement for 10% flips to a uniform other class, over the classes of the shared documents.
            double expected = expectedKappa(names.size(), flip);
            System.out.printf(Locale.ROOT, "%s test: %d documents, %d labels each, overlapShare %.2f, %.0f%% flips"
                    + " (%d given), seed %d, %.1f s%n", data.getFileName(), pool.size(), labels, share, 100 * flip,
                    flipped, seed, seconds);
            System.out.printf(Locale.ROOT, "| documents both labeled | overlapped | agreement | alpha | kappa |"
                    + " kappa expected | disagreements | same annotator twice | three or more annotators |%n");
            System.out.printf(Locale.ROOT, "| %d | %.3f | %.3f | %.4f | %.4f | %.4f | %d | %d | %d |%n", a.items(),
                    a.overlapped(), a.agreement(), a.alpha(), pair == null ? Double.NaN : pair.kappa(), expected,
                    a.disagreements(), twice, overTwo);
            return twice == 0 && overTwo == 0 ? 0 : 1;
        } finally {
            Folders.deleteTree(dir);
        }
    }

    /**
     * κ two annotators reach when one gives the true class and the other a uniformly chosen other
     * class with probability {@code flip}, over {@code classes} even classes: p_o = 1 − flip and
     * p_e = 1 / classes (the flipper's classes stay even), so κ = (1 − flip − 1/C) / (1 − 1/C).
     */
    static double expectedKappa(int classes, double flip) {
        double chance = 1.0 / classes;
        return (1 - flip - chance) / (1 - chance);
    }

    private static List<Label> labelsOf(List<String> names) {
        List<Label> out = new ArrayList<>();
        names.forEach(n -> out.add(new Label(out.size(), n, null)));
        return out;
    }
}
