package quarry.encode.tune;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import quarry.encode.ModelSpec;

/**
 * A BERT encoder as plain tensor operations on DJL's PyTorch engine, with its weights as
 * trainable arrays: the same computation as the Hugging Face ONNX graph (post-LayerNorm layers,
 * LayerNorm epsilon 1e-12, exact erf GELU), then the folder's pooling (mean over the mask, or CLS)
 * and L2 normalisation.
 *
 * <p>Written with NDArray operations rather than DJL's {@code BertBlock} so that every weight keeps
 * its Hugging Face name and its ONNX layout ([in, out] projections), which makes loading and
 * exporting a copy of values, nothing more.
 */
final class BertNet implements AutoCloseable {

    /** Added to the attention scores of padding; exp() of it is 0 without any risk of inf − inf. */
    private static final float MASKED = -1e9f;

    private final BertConfig config;
    private final ModelSpec.Pooling pooling;
    private final boolean normalize;
    private final NDManager manager;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();

    private BertNet(BertConfig config, ModelSpec.Pooling pooling, boolean normalize, NDManager manager) {
        this.config = config;
        this.pooling = pooling;
        this.normalize = normalize;
        this.manager = manager;
    }

    /** The network with {@code onnx}'s weights on {@code device}, each array asking for its gradient. */
    static BertNet load(OnnxBert onnx, ModelSpec.Pooling pooling, boolean normalize, NDManager parent, Device device) {
        BertNet net = new BertNet(onnx.config(), pooling, normalize, parent.newSubManager(device));
        try {
            for (String name : onnx.parameterNames()) {
                NDArray array;
                // On a CPU, create() wraps a Java direct buffer without copying; a clone lives in
                // libtorch's own memory, which nothing on the Java side (the GC) can take away.
                try (NDArray wrapped = net.manager.create(FloatBuffer.wrap(onnx.values(name)),
                        new Shape(onnx.shape(name)))) {
                    array = wrapped.duplicate();
                }
                array.setName(name);
                array.setRequiresGradient(true);
                net.parameters.put(name, array);
            }
            return net;
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    BertConfig config() {
        return config;
    }

    /** The trainable arrays by Hugging Face name; their values change in place as training steps. */
    Map<String, NDArray> parameters() {
        return parameters;
    }

    /** Current weights as Java arrays, by name (for export). */
    Map<String, float[]> weights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        parameters.forEach((name, array) -> out.put(name, array.toFloatArray()));
        return out;
    }

    /**
     * Pooled (and normalised, when the folder says so) text vectors, [batch, hidden].
     *
     * @param ids     token ids, [batch, length], int64, padded with anything
     * @param mask    1 for tokens and 0 for padding, [batch, length], float32
     * @param dropout BERT's dropout rate; 0 (or {@code training} false) switches it off
     */
    NDArray embed(NDArray ids, NDArray mask, float dropout, boolean training) {
        NDArray hidden = encode(ids, mask, dropout, training);
        NDArray pooled;
        if (pooling == ModelSpec.Pooling.CLS) {
            pooled = hidden.get(":, 0, :");
        } else {
            NDArray m = mask.expandDims(2);
            pooled = hidden.mul(m).sum(new int[] {1}).div(m.sum(new int[] {1}).clip(1e-9f, Float.MAX_VALUE));
        }
        if (normalize) {
            pooled = pooled.div(pooled.norm(new int[] {1}, true).clip(1e-12f, Float.MAX_VALUE));
        }
        return pooled;
    }

    /** The last hidden state, [batch, length, hidden]. */
    NDArray encode(NDArray ids, NDArray mask, float dropout, boolean training) {
        long batch = ids.getShape().get(0);
        long length = ids.getShape().get(1);
        if (length > config.positions()) {
            throw new IllegalArgumentException(length + " tokens, but the encoder knows " + config.positions()
                    + " positions");
        }
        NDManager m = ids.getManager();
        NDArray positions = m.arange(0, (int) length, 1, DataType.INT64).expandDims(0);
        NDArray types = m.zeros(new Shape(batch, length), DataType.INT64);
        NDArray x = lookup(ids, OnnxBert.WORD_EMBEDDINGS)
                .add(lookup(types, OnnxBert.TYPE_EMBEDDINGS))
                .add(lookup(positions, OnnxBert.POSITION_EMBEDDINGS));
        x = drop(layerNorm(x, "embeddings.LayerNorm"), dropout, training);
        // [batch, 1, 1, length]: every head and query position sees the same padding
        NDArray scoreMask = mask.neg().add(1f).mul(MASKED).reshape(batch, 1, 1, length);
        for (int l = 0; l < config.layers(); l++) {
            x = layer(x, scoreMask, "encoder.layer." + l + ".", dropout, training);
        }
        return x;
    }

    private NDArray layer(NDArray x, NDArray scoreMask, String p, float dropout, boolean training) {
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        int heads = config.heads();
        int size = config.headSize();
        NDArray q = heads(dense(x, p + "attention.self.query"), heads, size);
        NDArray k = heads(dense(x, p + "attention.self.key"), heads, size);
        NDArray v = heads(dense(x, p + "attention.self.value"), heads, size);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div((float) Math.sqrt(size)).add(scoreMask);
        NDArray probs = drop(scores.softmax(-1), dropout, training);
        NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(batch, length, config.hidden());
        NDArray attended = drop(dense(context, p + "attention.output.dense"), dropout, training);
        x = layerNorm(attended.add(x), p + "attention.output.LayerNorm");
        NDArray inner = Activation.gelu(dense(x, p + "intermediate.dense"));
        NDArray out = drop(dense(inner, p + "output.dense"), dropout, training);
        return layerNorm(out.add(x), p + "output.LayerNorm");
    }

    /** [batch, length, hidden] → [batch, heads, length, size]. */
    private static NDArray heads(NDArray x, int heads, int size) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, size).transpose(0, 2, 1, 3);
    }

    private NDArray dense(NDArray x, String name) {
        return x.matMul(parameters.get(name + ".weight")).add(parameters.get(name + ".bias"));
    }

    private NDArray layerNorm(NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(config.hidden()), parameters.get(name + ".weight"),
                parameters.get(name + ".bias"), BertConfig.LAYER_NORM_EPS).singletonOrThrow();
    }

    private NDArray lookup(NDArray ids, String table) {
        return Embedding.embedding(ids, parameters.get(table), SparseFormat.DENSE).singletonOrThrow();
    }

    private static NDArray drop(NDArray x, float rate, boolean training) {
        return training && rate > 0 ? Dropout.dropout(x, rate, true).singletonOrThrow() : x;
    }

    @Override
    public void close() {
        manager.close();
    }
}
