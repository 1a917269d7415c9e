package quarry.encode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;

/**
 * Keeps all tensor work of an encoder in one place: pads a batch of token windows into the
 * model's inputs, then pools the token vectors (mean over the attention mask, or CLS) and
 * L2-normalises them. With ONNX Runtime the pooling runs on DJL's PyTorch engine (hybrid engine).
 */
final class PoolingTranslator implements NoBatchifyTranslator<long[][], float[][]> {

    private static final String MASK = "mask";

    private final List<String> inputNames;
    private final ModelSpec.Pooling pooling;
    private final boolean normalize;

    PoolingTranslator(ModelSpec spec) {
        this.inputNames = spec.inputs();
        this.pooling = spec.pooling();
        this.normalize = spec.normalize();
    }

    @Override
    public NDList processInput(TranslatorContext ctx, long[][] windows) {
        int rows = windows.length;
        int width = 0;
        for (long[] w : windows) {
            width = Math.max(width, w.length);
        }
        long[] ids = new long[rows * width];
        long[] mask = new long[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(windows[r], 0, ids, r * width, windows[r].length);
            java.util.Arrays.fill(mask, r * width, r * width + windows[r].length, 1L);
        }
        NDManager manager = ctx.getNDManager();
        Shape shape = new Shape(rows, width);
        NDList inputs = new NDList(inputNames.size());
        for (String name : inputNames) {
            long[] data = switch (name) {
                case "input_ids" -> ids;
                case "attention_mask" -> mask;
                // one segment per window: all type ids are 0
                case "token_type_ids" -> new long[rows * width];
                default -> throw new IllegalStateException("model input '" + name
                        + "' is not one of input_ids, attention_mask, token_type_ids");
            };
            NDArray array = manager.create(LongBuffer.wrap(data), shape, DataType.INT64);
            array.setName(name);
            inputs.add(array);
        }
        ctx.setAttachment(MASK, mask);
        return inputs;
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList outputs) {
        NDArray hidden = outputs.get(0); // last_hidden_state: (rows, width, dim)
        Shape shape = hidden.getShape();
        int rows = (int) shape.get(0);
        int width = (int) shape.get(1);
        int dim = (int) shape.get(2);
        NDArray pooled;
        if (pooling == ModelSpec.Pooling.CLS) {
            pooled = hidden.get(":, 0, :");
        } else {
            long[] mask = (long[]) ctx.getAttachment(MASK);
            float[] weights = new float[mask.length];
            for (int i = 0; i < mask.length; i++) {
                weights[i] = mask[i];
            }
            NDArray m = ctx.getNDManager().create(FloatBuffer.wrap(weights), new Shape(rows, width, 1));
            pooled = hidden.mul(m).sum(new int[] {1}).div(m.sum(new int[] {1}).clip(1e-9f, Float.MAX_VALUE));
        }
        if (normalize) {
            pooled = pooled.div(pooled.norm(new int[] {1}, true).clip(1e-12f, Float.MAX_VALUE));
        }
        float[] flat = pooled.toFloatArray();
        float[][] vectors = new float[rows][dim];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * dim, vectors[r], 0, dim);
        }
        return vectors;
    }
}
