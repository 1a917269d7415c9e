package quarry.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.core.Document;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;
import quarry.djl.DjlSettings;
import quarry.project.Json;
import quarry.project.ProjectSession;
import quarry.project.ProjectSettings;
import quarry.project.Workspace;
import quarry.store.Records.Label;

/**
 * Memory over a long labeling session: one project labeled through its session, version after
 * version, with the process's resident size after each. A leak shows as a slope that does not
 * flatten; the figure to watch is the MiB per version over the second half of the run.
 */
@Command(name = "memory", mixinStandardHelpOptions = true,
        description = "Resident memory as model versions accumulate: labels go in through the project session,"
                + " each batch makes a new version; prints RSS per version and the slope over the second half.")
final class MemoryBenchCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data/clinc150",
            description = "data set folder with train.jsonl (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--pool", paramLabel = "N", defaultValue = "3000", description = "pool documents from train")
    int poolSize;

    @Option(names = "--versions", paramLabel = "N", defaultValue = "40", description = "model versions to make")
    int versions;

    @Option(names = "--per-version", paramLabel = "N", defaultValue = "10", description = "labels per version")
    int perVersion;

    @Override
    public Integer call() throws Exception {
        DjlSettings.apply();
        Path tmp = Files.createTempDirectory("quarry-bench-memory");
        List<Document> train = DocumentImporter.read(data.resolve("train.jsonl"), ImportOptions.defaults()).documents()
                .stream().filter(d -> !d.labels().get(0).equals("oos")).toList();
        List<Document> pool = Slices.evenly(train, poolSize);
        List<String> names = new ArrayList<>(new TreeSet<>(pool.stream().map(d -> d.labels().get(0)).toList()));
        List<Label> labels = new ArrayList<>();
        names.forEach(n -> labels.add(new Label(labels.size(), n, null)));
        java.util.Map<String, String> gold = new java.util.HashMap<>();
        pool.forEach(d -> gold.put(d.id(), d.labels().get(0)));
        Path file = tmp.resolve("pool.jsonl");
        Files.write(file, pool.stream().map(d -> Json.write(java.util.Map.of("id", d.id(), "text", d.text())))
                .toList());
        ProjectSettings settings = new ProjectSettings(null, null, null, 1_000_000, null, null, null, null, null, null, 11L, null);
        System.out.println("| versions | labels | RSS (MiB) | JVM heap used / committed (MiB) | JVM non-heap committed (MiB) |"
                + " RSS outside the JVM's heaps (MiB) |");
        System.out.println("|---|---|---|---|---|---|");
        List<long[]> points = new ArrayList<>();
        try (Workspace w = Workspace.open(tmp.resolve("ws"), false)) {
            ProjectSession s = w.createProject("memory", false, null, labels, settings);
            w.importDocuments(s, file);
            await(() -> s.embedding().state().equals("done") && !s.modelStatus().training());
            for (int v = 1; v <= versions; v++) {
                for (var item : s.next("bench", perVersion)) {
                    s.annotate("bench", item.id(), List.of(gold.get(item.id())), null);
                }
                int target = v;
                s.retrainNow();
                await(() -> s.modelStatus().version() >= target && !s.modelStatus().training());
                System.gc();
                long rss = Memory.rssMiB();
                java.lang.management.MemoryMXBean mx = java.lang.management.ManagementFactory.getMemoryMXBean();
                long used = mx.getHeapMemoryUsage().getUsed() >> 20;
                long committed = mx.getHeapMemoryUsage().getCommitted() >> 20;
                long nonHeap = mx.getNonHeapMemoryUsage().getCommitted() >> 20;
                points.add(new long[] {v, rss});
                System.out.printf(Locale.ROOT, "| %d | %d | %d | %d / %d | %d | %d |%n", v, s.labelCount(), rss, used,
                        committed, nonHeap, rss - committed - nonHeap);
            }
        }
        List<long[]> half = points.subList(points.size() / 2, points.size());
        System.out.printf(Locale.ROOT, "%nRSS slope over versions %d-%d: %.2f MiB per version%n", half.get(0)[0],
                half.get(half.size() - 1)[0], slope(half));
        return 0;
    }

    /** Least-squares slope of RSS over version number. */
    static double slope(List<long[]> points) {
        double n = points.size();
        double sx = 0;
        double sy = 0;
        double sxy = 0;
        double sxx = 0;
        for (long[] p : points) {
            sx += p[0];
            sy += p[1];
            sxy += (double) p[0] * p[1];
            sxx += (double) p[0] * p[0];
        }
        double d = n * sxx - sx * sx;
        return d == 0 ? 0 : (n * sxy - sx * sy) / d;
    }

    private static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + 600_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("timed out");
            }
            Thread.sleep(50);
        }
    }
}
