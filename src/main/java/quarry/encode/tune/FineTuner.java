package quarry.encode.tune;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import quarry.core.QuarryException;
import quarry.encode.ModelSpec;

/**
 * Fine-tunes an installed encoder on labeled texts and installs the result as a new encoder
 * folder, which the ordinary ONNX Runtime encoder then runs (and the embedding cache keys apart).
 *
 * <pre>{@code
 * FineTuner.Result r = FineTuner.tune(Encoders.find(models, "all-minilm-l6-v2"), texts, labels,
 *         FineTuneSettings.DEFAULTS, models, "minilm-support", progress -> ...);
 * Encoders.find(models, "minilm-support");   // r.folder()
 * }</pre>
 *
 * <p>Runs on the calling thread and blocks for minutes; interrupting the thread stops it between
 * steps with nothing written. Only one training holds DJL's gradient collector at a time (it takes
 * the JVM's {@code TrainingLock} step by step), so call it from the thread that trains heads, or
 * expect each step to wait for a head training in progress.
 */
public final class FineTuner {

    /**
     * What a fine-tune did.
     *
     * @param folder       the new encoder's folder ({@code models/<name>/})
     * @param lossBefore   the objective on a held-in sample (up to 256 pairs or examples) before training
     * @param lossAfter    the same sample after training
     * @param steps        optimizer steps run
     * @param plannedSteps optimizer steps planned ({@code steps} is less when the time limit stopped it)
     * @param seconds      training time (loading, measuring and writing excluded)
     * @param timedOut     whether the time limit stopped training early
     * @param device       where it trained, e.g. {@code cpu()} or {@code gpu(0)}
     * @param examples     labeled texts used
     * @param labels       the distinct labels, sorted
     * @param skippedSteps steps skipped because their gradient was not finite (weights left as they were)
     */
    public record Result(Path folder, String encoderId, double lossBefore, double lossAfter, int steps,
            int plannedSteps, double seconds, boolean timedOut, String device, int examples, List<String> labels,
            int skippedSteps) {
    }

    private FineTuner() {
    }

    /**
     * Where encoder {@code name} would be written; throws {@link QuarryException} for a name with
     * path characters or a folder that exists. {@link #tune} checks this first too; callers that
     * read data before tuning can fail fast with it.
     */
    public static Path target(Path modelsDir, String name) {
        return TunedFolder.target(modelsDir, name);
    }

    /**
     * Fine-tunes {@code parent} on {@code texts} with one label each ({@code labels.get(i)} is
     * the label of {@code texts.get(i)}) and writes encoder {@code name} under {@code modelsDir}.
     *
     * @throws QuarryException for a bad name, an existing folder, an encoder that cannot be
     *                         fine-tuned (not a BERT ONNX graph), or fewer than two labels
     */
    public static Result tune(ModelSpec parent, List<String> texts, List<String> labels, FineTuneSettings settings,
            Path modelsDir, String name, FineTuneProgress.Listener listener) {
        TunedFolder.target(modelsDir, name);
        if (texts.size() != labels.size()) {
            throw new IllegalArgumentException(texts.size() + " texts but " + labels.size() + " labels");
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null || labels.get(i) == null || labels.get(i).isBlank()) {
                throw new QuarryException("example " + i + " has no " + (texts.get(i) == null ? "text" : "label"));
            }
            counts.merge(labels.get(i), 1, Integer::sum);
        }
        if (counts.size() < 2) {
            throw new QuarryException("fine-tuning needs at least two different labels; got " + counts.size());
        }
        if (!parent.weights().getFileName().toString().equals(ModelSpec.ONNX)) {
            throw new QuarryException(parent.folder() + ": only ONNX encoders (model.onnx) can be fine-tuned");
        }
        List<String> names = new ArrayList<>(counts.keySet());
        Map<String, Integer> index = new HashMap<>();
        for (String label : names) {
            index.put(label, index.size());
        }
        int[] classOf = labels.stream().mapToInt(index::get).toArray();

        OnnxBert onnx = OnnxBert.read(parent.weights());
        long[][] tokens;
        try (Tokens tokenizer = Tokens.open(parent, settings.maxTokens())) {
            tokens = tokenizer.ids(texts);
        }
        TrainingRun.Outcome outcome = TrainingRun.run(onnx, parent, tokens, classOf, names.size(), settings, listener);

        Map<String, Object> record = new LinkedHashMap<>();
        record.put("parent", parent.id());
        record.put("date", Instant.now().toString());
        record.put("examples", texts.size());
        record.put("labels", counts);
        record.put("settings", settings.describe());
        record.put("lossBefore", outcome.lossBefore());
        record.put("lossAfter", outcome.lossAfter());
        record.put("steps", outcome.steps());
        record.put("plannedSteps", outcome.plannedSteps());
        record.put("timedOut", outcome.timedOut());
        record.put("trainingSeconds", Math.round(outcome.seconds() * 10) / 10.0);
        record.put("device", outcome.device());
        Path folder = TunedFolder.write(modelsDir, name, parent, onnx, outcome.weights(), record);
        return new Result(folder, name, outcome.lossBefore(), outcome.lossAfter(), outcome.steps(),
                outcome.plannedSteps(), outcome.seconds(), outcome.timedOut(), outcome.device(), texts.size(),
                List.copyOf(names), outcome.skippedSteps());
    }
}
