package quarry.bench;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.core.Document;
import quarry.core.Sampling;
import quarry.core.Vectors;
import quarry.data.DocumentImporter;
import quarry.data.ImportOptions;
import quarry.encode.CachingEncoder;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;
import quarry.eval.SuspectLabels;
import quarry.model.HeadConfig;
import quarry.model.OutOfFold;
import quarry.model.Targets;

@Command(name = "suspects", mixinStandardHelpOptions = true,
        description = {"Suspect labels by confident learning: injects seeded random label noise into a data set's "
                + "train split (each chosen example gets another label, uniformly), ranks every label by "
                + "confident learning on out-of-fold probabilities of the default head, and reports precision and "
                + "recall of the top suspects against the injected errors.",
            "With --noise 0 it reports how many of the data set's own labels are flagged. Label 'oos' is dropped."})
final class SuspectsBenchCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data/clinc150",
            description = "data set folder with train.jsonl (default: ${DEFAULT-VALUE})")
    java.nio.file.Path data;

    @Option(names = "--noise", paramLabel = "SHARE", defaultValue = "0.05",
            description = "share of train labels replaced by another label (default: ${DEFAULT-VALUE})")
    double noise;

    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = Encoders.DEFAULT)
    String encoder;

    @Option(names = "--folds", paramLabel = "K", defaultValue = "5")
    int folds;

    @Option(names = "--top", split = ",", paramLabel = "K,K", defaultValue = "100,1000")
    int[] top;

    @Option(names = "--seeds", split = ",", paramLabel = "S,S", defaultValue = "1,2,3",
            description = "one run per seed (noise and folds) (default: ${DEFAULT-VALUE})")
    long[] seeds;

    @Override
    public Integer call() throws IOException {
        if (!(noise >= 0 && noise < 1) || folds < 2) {
            throw new IllegalArgumentException("--noise is a share in [0, 1) and --folds at least 2, got " + noise
                    + " and " + folds);
        }
        List<Document> train;
        try {
            train = DocumentImporter.read(data.resolve("train.jsonl"), ImportOptions.defaults()).documents().stream()
                    .filter(d -> d.labels().size() == 1 && !d.labels().get(0).equals("oos")).toList();
        } catch (quarry.data.ImportException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        List<String> names = new ArrayList<>(new TreeSet<>(train.stream().map(d -> d.labels().get(0)).toList()));
        Map<String, Integer> index = new HashMap<>();
        names.forEach(n -> index.put(n, index.size()));
        int[] truth = train.stream().mapToInt(d -> index.get(d.labels().get(0))).toArray();
        Vectors x;
        String encoderId;
        try (CachingEncoder e = Encoders.openCached(encoder, EncoderOptions.DEFAULTS)) {
            x = Vectors.of(e.encode(train.stream().map(Document::text).toList()));
            encoderId = e.id();
        }
        int n = truth.length;
        System.out.printf(Locale.ROOT, "%s train: %d labels over %d classes, %s, %.0f%% noise, %d folds%n",
                data.getFileName(), n, names.size(), encoder, 100 * noise, folds);
        List<String> rows = new ArrayList<>();
        for (long seed : seeds) {
            int[] given = truth.clone();
            Set<Integer> wrong = new HashSet<>();
            SplittableRandom random = new SplittableRandom(seed);
            for (int i : Sampling.sample(n, (int) Math.round(noise * n), seed)) {
                given[i] = (truth[i] + 1 + random.nextInt(names.size() - 1)) % names.size();
                wrong.add(i);
            }
            long start = System.nanoTime();
            float[][] p = OutOfFold.probabilities(x, IntStream.range(0, n).toArray(),
                    Targets.singleLabel(names, given), HeadConfig.defaults().withSeed(seed), encoderId, folds);
            List<SuspectLabels.Suspect> ranked = SuspectLabels.rank(p, given);
            double seconds = (System.nanoTime() - start) / 1e9;
            long flagged = ranked.stream().filter(SuspectLabels.Suspect::flagged).count();
            long flaggedWrong = ranked.stream().filter(s -> s.flagged() && wrong.contains(s.index())).count();
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %d | %d | %d (%.1f%%) |",
                    data.getFileName(), seed, wrong.size(), flagged, 100.0 * flagged / n));
            if (!wrong.isEmpty()) {
                row.append(String.format(Locale.ROOT, " %.3f / %.3f |", (double) flaggedWrong / Math.max(1, flagged),
                        (double) flaggedWrong / wrong.size()));
                for (int k : top) {
                    long hit = ranked.subList(0, Math.min(k, n)).stream().filter(s -> wrong.contains(s.index())).count();
                    row.append(String.format(Locale.ROOT, " %.3f / %.3f |", (double) hit / Math.min(k, n),
                            (double) hit / wrong.size()));
                }
            }
            row.append(String.format(Locale.ROOT, " %.1f s |", seconds));
            rows.add(row.toString());
            System.err.println(row);
        }
        System.out.println();
        StringBuilder header = new StringBuilder("| data | seed | injected | flagged |");
        StringBuilder rule = new StringBuilder("|---|---|---|---|");
        if (noise > 0) {
            header.append(" flagged: precision / recall |");
            rule.append("---|");
            Arrays.stream(top).forEach(k -> {
                header.append(" top ").append(k).append(": precision / recall |");
                rule.append("---|");
            });
        }
        System.out.println(header.append(" out-of-fold + ranking |"));
        System.out.println(rule.append("---|"));
        rows.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "%s, %d cores, default head, %d folds%n", LocalDate.now(),
                Runtime.getRuntime().availableProcessors(), folds);
        return 0;
    }
}
