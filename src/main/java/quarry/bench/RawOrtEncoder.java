package quarry.bench;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import quarry.core.Progress;
import quarry.core.QuarryException;
import quarry.djl.DjlSettings;
import quarry.encode.Encoder;
import quarry.encode.ModelSpec;

/**
 * The baseline for the encoder benchmark: the ONNX Runtime Java API used directly, as a careful
 * user would without Quarry. Same tokenizer, batch size and thread settings; batches are formed in
 * input order and padded to their longest text (or sorted by length when asked), pooling in plain
 * Java. Texts longer than the window are truncated. Not for production use.
 */
public final class RawOrtEncoder implements Encoder {

    private final ModelSpec spec;
    private final int batchSize;
    private final int maxTokens;
    private final boolean sortByLength;
    private final HuggingFaceTokenizer tokenizer;
    private final OrtEnvironment env;
    private final OrtSession session;

    public RawOrtEncoder(ModelSpec spec, int batchSize, int maxTokens, boolean sortByLength) {
        this.spec = spec;
        this.batchSize = batchSize;
        this.maxTokens = maxTokens;
        this.sortByLength = sortByLength;
        try {
            this.tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(spec.tokenizer())
                    .optAddSpecialTokens(true).optTruncation(true).optMaxLength(maxTokens).optPadding(false).build();
            // ONNX Runtime allows one environment per process and DJL creates it with its own
            // options, so start DJL's engine first and share its environment.
            DjlSettings.apply();
            ai.djl.engine.Engine.getEngine("OnnxRuntime");
            this.env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            options.setInterOpNumThreads(1);
            this.session = env.createSession(spec.weights().toString(), options);
        } catch (IOException | OrtException e) {
            throw new QuarryException(spec.folder() + ": cannot load for raw ONNX Runtime: " + e.getMessage(), e);
        }
    }

    @Override
    public String id() {
        return spec.id() + " (raw ONNX Runtime" + (sortByLength ? ", length-sorted" : "") + ")";
    }

    @Override
    public int dimension() {
        return spec.dimension();
    }

    @Override
    public float[][] encode(List<String> texts, Progress progress) {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        Integer[] order = new Integer[texts.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (sortByLength) {
            java.util.Arrays.sort(order, java.util.Comparator.comparingInt(i -> encodings[i].getIds().length));
        }
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < order.length; from += batchSize) {
            int rows = Math.min(batchSize, order.length - from);
            long[][] batch = new long[rows][];
            for (int r = 0; r < rows; r++) {
                batch[r] = encodings[order[from + r]].getIds();
            }
            float[][] vectors = run(batch);
            for (int r = 0; r < rows; r++) {
                out[order[from + r]] = vectors[r];
            }
            progress.update(from + rows, texts.size());
        }
        return out;
    }

    private float[][] run(long[][] batch) {
        int rows = batch.length;
        int width = 0;
        for (long[] ids : batch) {
            width = Math.max(width, ids.length);
        }
        long[] ids = new long[rows * width];
        long[] mask = new long[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(batch[r], 0, ids, r * width, batch[r].length);
            java.util.Arrays.fill(mask, r * width, r * width + batch[r].length, 1L);
        }
        long[] shape = {rows, width};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            for (String name : session.getInputNames()) {
                long[] data = switch (name) {
                    case "input_ids" -> ids;
                    case "attention_mask" -> mask;
                    default -> new long[rows * width];
                };
                inputs.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
                return pool(hidden, mask, rows, width);
            }
        } catch (OrtException e) {
            throw new QuarryException("raw ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private float[][] pool(FloatBuffer hidden, long[] mask, int rows, int width) {
        int dim = spec.dimension();
        float[][] out = new float[rows][dim];
        for (int r = 0; r < rows; r++) {
            float[] v = out[r];
            int tokens = 0;
            for (int t = 0; t < width; t++) {
                boolean use = spec.pooling() == ModelSpec.Pooling.CLS ? t == 0 : mask[r * width + t] == 1;
                if (use) {
                    tokens++;
                    int base = (r * width + t) * dim;
                    for (int d = 0; d < dim; d++) {
                        v[d] += hidden.get(base + d);
                    }
                }
            }
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                v[d] /= tokens;
                norm += (double) v[d] * v[d];
            }
            double scale = spec.normalize() ? 1 / Math.max(Math.sqrt(norm), 1e-12) : 1;
            for (int d = 0; d < dim; d++) {
                v[d] = (float) (v[d] * scale);
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new QuarryException("cannot close ONNX Runtime session: " + e.getMessage(), e);
        } finally {
            tokenizer.close();
        }
    }
}
