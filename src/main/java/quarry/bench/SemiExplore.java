package quarry.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import quarry.core.Document;
import quarry.core.Vectors;
import quarry.encode.CachingEncoder;
import quarry.encode.EncoderOptions;
import quarry.encode.Encoders;
import quarry.data.ImportOptions;
import quarry.model.Head;
import quarry.model.HeadConfig;
import quarry.model.Targets;
import quarry.query.Uncertainty;

/** Exploration of semi-supervised head training on balanced random label sets (valid split). */
@Command(name = "semi-explore", mixinStandardHelpOptions = true, hidden = true)
final class SemiExplore implements Callable<Integer> {

    @Option(names = "--data", required = true)
    Path data;
    @Option(names = "--eval", defaultValue = "valid")
    String eval;
    @Option(names = "--drop-label", split = ",")
    List<String> drop = List.of();
    @Option(names = "--per-class", split = ",", defaultValue = "5,10")
    int[] perClass;
    @Option(names = "--repeats", defaultValue = "3")
    int repeats;
    @Option(names = "--encoder", defaultValue = Encoders.DEFAULT)
    String encoder;
    @Option(names = "--variants", split = ";", defaultValue = "base")
    List<String> variants;
    @Option(names = "--holdout", defaultValue = "0", description = "score on this many train documents held out")
    int holdout;

    @Override
    public Integer call() throws Exception {
        List<Document> train = read("train.jsonl");
        List<Document> test;
        if (holdout > 0) {
            List<Document> shuffled = new ArrayList<>(train);
            java.util.Collections.shuffle(shuffled, new java.util.Random(7));
            test = shuffled.subList(0, holdout);
            train = shuffled.subList(holdout, shuffled.size());
        } else {
            test = read(eval + ".jsonl");
        }
        List<String> labels = train.stream().map(d -> d.labels().get(0)).distinct().sorted().toList();
        Map<String, Integer> index = new TreeMap<>();
        for (int i = 0; i < labels.size(); i++) {
            index.put(labels.get(i), i);
        }
        int[] y = train.stream().mapToInt(d -> index.get(d.labels().get(0))).toArray();
        int[] yt = test.stream().mapToInt(d -> index.get(d.labels().get(0))).toArray();
        Vectors pool;
        Vectors testV;
        try (CachingEncoder enc = Encoders.openCached(encoder, EncoderOptions.DEFAULTS)) {
            pool = Vectors.of(enc.encode(train.stream().map(Document::text).toList(), null));
            testV = Vectors.of(enc.encode(test.stream().map(Document::text).toList(), null));
        }
        System.out.printf("%d pool, %d %s, %d labels%n", pool.size(), testV.size(), eval, labels.size());
        for (int k : perClass) {
            for (String variant : variants) {
                double[] acc = new double[repeats];
                String extra = "";
                for (int r = 0; r < repeats; r++) {
                    int[] rows = balanced(y, labels.size(), k, 1000L + r);
                    Outcome o = run(variant, pool, y, rows, labels, testV, yt, 42L + r);
                    acc[r] = o.accuracy;
                    extra = o.note;
                }
                System.out.printf(Locale.ROOT, "k=%d %-40s %.2f (%s)  %s%n", k, variant,
                        100 * Arrays.stream(acc).average().orElse(0),
                        String.join(" ", Arrays.stream(acc).mapToObj(a -> String.format(Locale.ROOT, "%.2f", 100 * a)).toList()),
                        extra);
            }
        }
        return 0;
    }

    private record Outcome(double accuracy, String note) {
    }

    private Outcome run(String variant, Vectors pool, int[] y, int[] rows, List<String> labels, Vectors testV,
            int[] yt, long seed) {
        String[] parts = variant.split(",");
        HeadConfig config = HeadConfig.defaults().withSeed(seed);
        int[] classOf = Arrays.stream(rows).map(r -> y[r]).toArray();
        try (Head base = Head.train(pool, rows, Targets.singleLabel(labels, classOf), config, null, "x")) {
            if (parts[0].equals("base")) {
                return new Outcome(accuracy(base, testV, yt), "");
            }
            if (parts[0].equals("st")) {
                quarry.loop.SelfTraining st = new quarry.loop.SelfTraining(true, Float.parseFloat(parts[1]),
                        Float.parseFloat(parts[2]), Integer.parseInt(parts[3]), Integer.parseInt(parts[4]), 0);
                long t0 = System.nanoTime();
                try (Head semi = st.refine(pool, rows, Targets.singleLabel(labels, classOf), base, config, "x", seed)) {
                    return new Outcome(accuracy(semi, testV, yt), String.format(Locale.ROOT, "%.1f s",
                            (System.nanoTime() - t0) / 1e9));
                }
            }
            // bal,ratio,weight[,minconf]: top-(ratio × labels per class) most confident per predicted class
            double ratio = Double.parseDouble(parts[1]);
            float weight = Float.parseFloat(parts[2]);
            double minConf = parts.length > 3 && !parts[3].equals("warm") ? Double.parseDouble(parts[3]) : 0;
            boolean[] labeled = new boolean[pool.size()];
            for (int r : rows) {
                labeled[r] = true;
            }
            int[] unl = java.util.stream.IntStream.range(0, pool.size()).filter(i -> !labeled[i]).toArray();
            float[][] p = base.probabilities(pool, unl);
            int perClassTake = (int) Math.round(ratio * rows.length / labels.size());
            List<List<int[]>> byClass = new ArrayList<>();
            for (int c = 0; c < labels.size(); c++) {
                byClass.add(new ArrayList<>());
            }
            for (int i = 0; i < unl.length; i++) {
                int c = Uncertainty.argmax(p[i]);
                if (p[i][c] >= minConf) {
                    byClass.get(c).add(new int[] {i, (int) (p[i][c] * 1e6)});
                }
            }
            List<Integer> pr = new ArrayList<>();
            List<Integer> pc = new ArrayList<>();
            int correct = 0;
            for (int c = 0; c < labels.size(); c++) {
                List<int[]> list = byClass.get(c);
                list.sort((a, b) -> Integer.compare(b[1], a[1]));
                List<int[]> chosen = parts[0].equals("bal") ? list.subList(0, Math.min(perClassTake, list.size()))
                        : list;
                for (int[] e : chosen) {
                    pr.add(unl[e[0]]);
                    pc.add(c);
                    if (y[unl[e[0]]] == c) {
                        correct++;
                    }
                }
            }
            int n = rows.length + pr.size();
            int[] allRows = new int[n];
            int[] allClass = new int[n];
            float[] w = new float[n];
            for (int i = 0; i < rows.length; i++) {
                allRows[i] = rows[i];
                allClass[i] = classOf[i];
                w[i] = 1f;
            }
            for (int i = 0; i < pr.size(); i++) {
                allRows[rows.length + i] = pr.get(i);
                allClass[rows.length + i] = pc.get(i);
                w[rows.length + i] = weight;
            }
            boolean warm = parts[parts.length - 1].equals("warm");
            try (Head semi = Head.train(pool, allRows, Targets.singleLabel(labels, allClass).withWeights(w), config,
                    warm ? base : null, "x")) {
                return new Outcome(accuracy(semi, testV, yt), String.format(Locale.ROOT, "pseudo %d, %.1f%% right",
                        pr.size(), 100.0 * correct / Math.max(1, pr.size())));
            }
        }
    }

    private static double accuracy(Head h, Vectors v, int[] truth) {
        int[] all = java.util.stream.IntStream.range(0, v.size()).toArray();
        int[][] pred = h.predict(v, all);
        int ok = 0;
        for (int i = 0; i < truth.length; i++) {
            if (pred[i][0] == truth[i]) {
                ok++;
            }
        }
        return (double) ok / truth.length;
    }

    private static int[] balanced(int[] y, int classes, int k, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<List<Integer>> by = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            by.add(new ArrayList<>());
        }
        for (int i = 0; i < y.length; i++) {
            by.get(y[i]).add(i);
        }
        List<Integer> out = new ArrayList<>();
        for (List<Integer> list : by) {
            for (int i = 0; i < Math.min(k, list.size()); i++) {
                java.util.Collections.swap(list, i, i + random.nextInt(list.size() - i));
                out.add(list.get(i));
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private List<Document> read(String name) throws Exception {
        return quarry.data.DocumentImporter.read(data.resolve(name), ImportOptions.defaults()).documents().stream()
                .filter(d -> d.isLabeled() && d.labels().stream().noneMatch(drop::contains)).toList();
    }
}
