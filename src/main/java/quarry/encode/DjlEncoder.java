package quarry.encode;

import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import quarry.core.Progress;
import quarry.core.QuarryException;
import quarry.djl.DjlSettings;

/**
 * An encoder on DJL (ONNX Runtime or TorchScript) with a pool of predictors. Texts are tokenised,
 * long ones cut into overlapping windows, and windows of similar length batched together so little
 * compute goes to padding.
 */
public final class DjlEncoder implements Encoder {

    /** Texts tokenised and sorted together; bounds memory for very large inputs. */
    private static final int CHUNK = 8192;

    private final ModelSpec spec;
    private final EncoderOptions options;
    private final int maxTokens;
    private final HuggingFaceTokenizer tokenizer;
    private final ZooModel<long[][], float[][]> model;
    private final BlockingQueue<Predictor<long[][], float[][]>> predictors;
    private final ExecutorService workers;

    private DjlEncoder(ModelSpec spec, EncoderOptions options, HuggingFaceTokenizer tokenizer,
            ZooModel<long[][], float[][]> model) {
        this.spec = spec;
        this.options = options;
        this.maxTokens = effectiveMaxTokens(spec, options);
        this.tokenizer = tokenizer;
        this.model = model;
        this.predictors = new ArrayBlockingQueue<>(options.poolSize());
        for (int i = 0; i < options.poolSize(); i++) {
            predictors.add(model.newPredictor());
        }
        this.workers = options.poolSize() == 1 ? null : Executors.newFixedThreadPool(options.poolSize(), r -> {
            Thread t = new Thread(r, "quarry-encoder");
            t.setDaemon(true);
            return t;
        });
    }

    public static int effectiveMaxTokens(ModelSpec spec, EncoderOptions options) {
        return options.maxTokens() == 0 ? spec.maxTokens() : Math.min(options.maxTokens(), spec.maxTokens());
    }

    public static DjlEncoder load(ModelSpec spec, EncoderOptions options) {
        DjlSettings.apply();
        HuggingFaceTokenizer tokenizer;
        try {
            // Our windows replace the tokenizer's own truncation and padding.
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(spec.tokenizer())
                    .optAddSpecialTokens(true)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new QuarryException(spec.tokenizer() + ": not a valid tokenizer.json: " + e.getMessage(), e);
        }
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / options.poolSize());
        Criteria<long[][], float[][]> criteria = Criteria.builder()
                .setTypes(long[][].class, float[][].class)
                .optModelPath(spec.folder())
                .optModelName(spec.weights().getFileName().toString().replaceFirst("\\.(onnx|pt)$", ""))
                .optEngine(spec.engine())
                .optTranslator(new PoolingTranslator(spec))
                .optOption("intraOpNumThreads", Integer.toString(threads))
                .optOption("interOpNumThreads", "1")
                .build();
        try {
            return new DjlEncoder(spec, options, tokenizer, criteria.loadModel());
        } catch (IOException | ModelNotFoundException | MalformedModelException | RuntimeException e) {
            tokenizer.close();
            throw new QuarryException(spec.weights() + ": cannot load the model: " + e.getMessage(), e);
        }
    }

    @Override
    public String id() {
        return spec.id();
    }

    @Override
    public int dimension() {
        return spec.dimension();
    }

    public ModelSpec spec() {
        return spec;
    }

    /** Window length in tokens actually used. */
    public int maxTokens() {
        return maxTokens;
    }

    public String fingerprint() {
        return spec.fingerprint(maxTokens, options.windowOverlap());
    }

    @Override
    public float[][] encode(List<String> texts, Progress progress) {
        float[][] out = new float[texts.size()][];
        AtomicLong done = new AtomicLong();
        progress.update(0, texts.size());
        for (int from = 0; from < texts.size(); from += CHUNK) {
            List<String> chunk = texts.subList(from, Math.min(texts.size(), from + CHUNK));
            float[][] vectors = encodeChunk(chunk, done, texts.size(), progress);
            System.arraycopy(vectors, 0, out, from, vectors.length);
            done.set(from + chunk.size());
            progress.update(done.get(), texts.size());
        }
        return out;
    }

    private record Window(int text, long[] ids) {
    }

    private float[][] encodeChunk(List<String> texts, AtomicLong done, long total, Progress progress) {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        List<Window> windows = new ArrayList<>(texts.size());
        int[] windowCount = new int[texts.size()];
        for (int t = 0; t < encodings.length; t++) {
            List<long[]> parts = Windows.split(encodings[t].getIds(), encodings[t].getSpecialTokenMask(),
                    maxTokens, options.windowOverlap());
            windowCount[t] = parts.size();
            for (long[] part : parts) {
                windows.add(new Window(t, part));
            }
        }
        windows.sort(Comparator.comparingInt(w -> w.ids().length));

        List<List<Window>> batches = new ArrayList<>();
        for (int i = 0; i < windows.size(); i += options.batchSize()) {
            batches.add(windows.subList(i, Math.min(windows.size(), i + options.batchSize())));
        }
        float[][][] results = runBatches(batches, windowCount, done, total, progress);

        List<List<float[]>> perText = new ArrayList<>(texts.size());
        for (int t = 0; t < texts.size(); t++) {
            perText.add(new ArrayList<>(windowCount[t]));
        }
        for (int b = 0; b < batches.size(); b++) {
            List<Window> batch = batches.get(b);
            for (int i = 0; i < batch.size(); i++) {
                perText.get(batch.get(i).text()).add(results[b][i]);
            }
        }
        float[][] out = new float[texts.size()][];
        for (int t = 0; t < texts.size(); t++) {
            out[t] = Windows.mean(perText.get(t), spec.normalize());
        }
        return out;
    }

    private float[][][] runBatches(List<List<Window>> batches, int[] windowCount, AtomicLong done, long total,
            Progress progress) {
        float[][][] results = new float[batches.size()][][];
        // Progress counts texts: a text is done when its last window is, which for windows sorted
        // by length we approximate by the share of windows done.
        double textsPerWindow = (double) windowCount.length / batches.stream().mapToInt(List::size).sum();
        if (workers == null) {
            for (int b = 0; b < batches.size(); b++) {
                results[b] = predict(batches.get(b));
                progress.update(done.addAndGet(Math.round(batches.get(b).size() * textsPerWindow)), total);
            }
            return results;
        }
        List<Future<float[][]>> futures = new ArrayList<>(batches.size());
        for (List<Window> batch : batches) {
            futures.add(workers.submit(() -> {
                float[][] r = predict(batch);
                progress.update(done.addAndGet(Math.round(batch.size() * textsPerWindow)), total);
                return r;
            }));
        }
        try {
            for (int b = 0; b < futures.size(); b++) {
                results[b] = futures.get(b).get();
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new QuarryException("encoding interrupted", e);
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            throw new QuarryException("encoding failed: " + e.getCause().getMessage(), e.getCause());
        }
        return results;
    }

    private float[][] predict(List<Window> batch) {
        long[][] ids = new long[batch.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = batch.get(i).ids();
        }
        Predictor<long[][], float[][]> predictor;
        try {
            predictor = predictors.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuarryException("encoding interrupted", e);
        }
        try {
            return predictor.predict(ids);
        } catch (TranslateException e) {
            throw new QuarryException(spec.id() + ": inference failed: " + e.getMessage(), e);
        } finally {
            predictors.add(predictor);
        }
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
        predictors.forEach(Predictor::close);
        model.close();
        tokenizer.close();
    }
}
