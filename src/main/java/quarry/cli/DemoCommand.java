package quarry.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import quarry.core.Document;
import quarry.encode.CachingEncoder;
import quarry.encode.Encoders;
import quarry.model.NearestCentroid;

/**
 * The main job until the server lands: embed the demo data and simulate a short labeling session,
 * with the data's own labels standing in for the annotator, comparing "label the most uncertain"
 * (smallest margin) against labeling at random.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Embed the demo data (data/demo.jsonl) and simulate a short active-learning session: "
                + "margin sampling against random labeling, scored on a held-out third.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "FILE", description = "labeled JSONL or CSV (default: data/demo.jsonl)")
    Path data;

    @Option(names = "--seed-size", paramLabel = "N", defaultValue = "10", description = "random labels to start from")
    int seedSize;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "10", description = "labels asked per round")
    int batch;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "8")
    int rounds;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "random seed")
    long seed;

    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = Encoders.DEFAULT)
    String encoderName;

    @Mixin
    ImportMixin importOptions;

    @Override
    public Integer call() {
        Path file = data != null ? data : Encoders.modelsDir().resolveSibling("data").resolve("demo.jsonl");
        List<Document> docs = importOptions.read(file).stream().filter(Document::isLabeled).toList();
        List<String> classes = new ArrayList<>(new TreeSet<>(docs.stream().map(d -> d.labels().get(0)).toList()));
        System.out.printf("demo: %d labeled documents over %d labels from %s%n", docs.size(), classes.size(), file);

        float[][] vectors;
        try (CachingEncoder encoder = Encoders.openCached(encoderName, quarry.encode.EncoderOptions.DEFAULTS)) {
            vectors = encoder.encode(docs.stream().map(Document::text).toList(),
                    new ProgressBar(System.err, "embed", "texts"));
            System.out.printf("embedded with %s (%d-d); cache holds %d vectors%n", encoder.id(), encoder.dimension(),
                    encoder.cache().size());
        }
        int[] y = docs.stream().mapToInt(d -> classes.indexOf(d.labels().get(0))).toArray();

        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        int testSize = docs.size() / 3;
        List<Integer> test = order.subList(0, testSize);
        List<Integer> pool = order.subList(testSize, order.size());

        List<Integer> marginLabeled = new ArrayList<>(pool.subList(0, Math.min(seedSize, pool.size())));
        List<Integer> randomLabeled = new ArrayList<>(marginLabeled);
        System.out.println();
        System.out.println("labels   accuracy (margin)   accuracy (random)");
        for (int round = 0; round <= rounds; round++) {
            NearestCentroid marginModel = fit(vectors, y, marginLabeled, classes.size());
            NearestCentroid randomModel = fit(vectors, y, randomLabeled, classes.size());
            System.out.printf(Locale.ROOT, "%6d   %17.1f%%   %17.1f%%%n", marginLabeled.size(),
                    100 * accuracy(marginModel, vectors, y, test), 100 * accuracy(randomModel, vectors, y, test));
            if (round == rounds) {
                break;
            }
            List<Integer> unlabeled = new ArrayList<>(pool);
            unlabeled.removeAll(marginLabeled);
            unlabeled.sort(Comparator.comparingDouble((Integer i) -> marginModel.margin(vectors[i]))
                    .thenComparingInt(i -> i));
            marginLabeled.addAll(unlabeled.subList(0, Math.min(batch, unlabeled.size())));
            for (int i : pool) {
                if (randomLabeled.size() < marginLabeled.size() && !randomLabeled.contains(i)) {
                    randomLabeled.add(i);
                }
            }
        }
        System.out.println();
        System.out.println("Labels came from the data set itself, standing in for an annotator; accuracy is on a held-out "
                + "third. The head is a nearest-centroid baseline.");
        return 0;
    }

    private static NearestCentroid fit(float[][] vectors, int[] y, List<Integer> labeled, int classes) {
        float[][] x = new float[labeled.size()][];
        int[] labels = new int[labeled.size()];
        for (int i = 0; i < labeled.size(); i++) {
            x[i] = vectors[labeled.get(i)];
            labels[i] = y[labeled.get(i)];
        }
        return NearestCentroid.fit(x, labels, classes);
    }

    private static double accuracy(NearestCentroid model, float[][] vectors, int[] y, List<Integer> test) {
        long correct = test.stream().filter(i -> model.predict(vectors[i]) == y[i]).count();
        return (double) correct / test.size();
    }
}
