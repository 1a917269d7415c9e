package quarry.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import quarry.core.Document;
import quarry.core.QuarryException;
import quarry.encode.Encoders;
import quarry.encode.ModelSpec;
import quarry.encode.tune.FineTuneSettings;
import quarry.encode.tune.FineTuner;

@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Fine-tune an encoder on labeled texts (JSONL or CSV, one label per row) and install the "
                + "result as a new encoder, models/<out>/, that every other command can use with --encoder <out>.",
            "classify (default): cross-entropy through a linear layer over the text vectors. "
                + "contrastive: SetFit's pairs of same-label and different-label texts, cosine loss."})
public final class FinetuneCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "labeled JSONL or CSV file")
    Path data;

    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = Encoders.DEFAULT,
            description = "encoder to start from (default: ${DEFAULT-VALUE}); see 'quarry encoders'")
    String encoder;

    @Option(names = "--out", required = true, paramLabel = "NAME",
            description = "name of the new encoder: a new folder under the models folder")
    String out;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "classify",
            description = "classify or contrastive (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--epochs", paramLabel = "N", description = "passes over the examples or pairs (default: 3)")
    Integer epochs;

    @Option(names = "--pairs-per-example", paramLabel = "N",
            description = "contrastive pairs per labeled text and epoch, half positive (default: 4)")
    Integer pairsPerExample;

    @Option(names = "--max-pairs", paramLabel = "N", description = "at most this many pairs per epoch (default: 20000)")
    Integer maxPairs;

    @Option(names = "--max-seconds", paramLabel = "S",
            description = "stop training cleanly after this long and write what it reached (default: 1800)")
    Double maxSeconds;

    @Option(names = "--seed", paramLabel = "N", description = "seed of pairs, order and dropout (default: 42)")
    Long seed;

    @Option(names = "--max-tokens", paramLabel = "N",
            description = "cut texts to this many tokens while training (default: 64)")
    Integer maxTokens;

    @Option(names = "--batch", paramLabel = "N", description = "pairs or examples per step (default: 16)")
    Integer batch;

    @Option(names = "--learning-rate", paramLabel = "R", description = "peak learning rate (default: 2e-5)")
    Double learningRate;

    @Option(names = "--cpu", description = "train on the CPU even when a GPU is found")
    boolean cpu;

    @Option(names = "--models", paramLabel = "DIR", description = "models folder (default: ${DEFAULT-VALUE})")
    Path models = Encoders.modelsDir();

    @Mixin
    ImportMixin importOptions;

    @Override
    public Integer call() {
        FineTuneSettings settings = settings();
        FineTuner.target(models, out);
        ModelSpec parent = Encoders.find(models, encoder);
        List<Document> docs = importOptions.read(data);
        List<String> texts = new ArrayList<>(docs.size());
        List<String> labels = new ArrayList<>(docs.size());
        for (Document d : docs) {
            if (d.labels().size() != 1) {
                throw new QuarryException(data + ": document '" + d.id() + "' has " + d.labels().size()
                        + " labels; finetune needs exactly one label per row");
            }
            texts.add(d.text());
            labels.add(d.labels().get(0));
        }
        ProgressBar bar = new ProgressBar(System.err, "finetune", "steps");
        FineTuner.Result r = FineTuner.tune(parent, texts, labels, settings, models, out,
                p -> bar.update(p.step(), p.totalSteps()));
        System.out.printf(Locale.ROOT, "fine-tuned %s (%s) on %d texts with %d labels: %d of %d steps in %.1f s on %s%s%n",
                parent.id(), settings.mode().name().toLowerCase(Locale.ROOT), r.examples(), r.labels().size(),
                r.steps(), r.plannedSteps(), r.seconds(), r.device(), (r.timedOut() ? " (stopped at --max-seconds)" : "")
                        + (r.skippedSteps() > 0 ? "; " + r.skippedSteps() + " steps skipped (gradient not finite)" : ""));
        System.out.printf(Locale.ROOT, "loss on a held-in sample: %.4f before, %.4f after%n", r.lossBefore(),
                r.lossAfter());
        System.out.println("wrote " + r.folder() + " (use it with --encoder " + r.encoderId() + ")");
        return 0;
    }

    private FineTuneSettings settings() {
        FineTuneSettings s = FineTuneSettings.DEFAULTS.withUseGpu(!cpu);
        s = s.withMode(FineTuneSettings.Mode.parse("--mode", mode));
        try {
            s = epochs == null ? s : s.withEpochs(epochs);
            s = pairsPerExample == null ? s : s.withPairsPerExample(pairsPerExample);
            s = maxPairs == null ? s : s.withMaxPairs(maxPairs);
            s = maxSeconds == null ? s : s.withMaxSeconds(maxSeconds);
            s = seed == null ? s : s.withSeed(seed);
            s = maxTokens == null ? s : s.withMaxTokens(maxTokens);
            s = batch == null ? s : s.withBatchSize(batch);
            return learningRate == null ? s : s.withLearningRate(learningRate);
        } catch (IllegalArgumentException e) {
            throw new QuarryException(e.getMessage(), e);
        }
    }
}
