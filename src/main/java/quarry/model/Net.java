package quarry.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.initializer.Initializer;

/**
 * The head's DJL block and direct access to its layers. MLP: Linear → ReLU → Dropout → Linear;
 * LINEAR: Dropout → Linear. Training runs the block (so DJL's Dropout is active); scoring uses the
 * layer weights directly, which lets MC dropout share the hidden layer across passes.
 */
final class Net {

    static final String ENGINE = "PyTorch";

    private final HeadConfig.Kind kind;
    private final int dimension;
    private final int features;
    private final int classes;
    private final SequentialBlock block;
    private final Linear hidden;
    private final Linear out;

    private Net(HeadConfig.Kind kind, int dimension, int features, int classes, SequentialBlock block, Linear hidden,
                Linear out) {
        this.kind = kind;
        this.dimension = dimension;
        this.features = features;
        this.classes = classes;
        this.block = block;
        this.hidden = hidden;
        this.out = out;
    }

    /** A block whose parameters, once initialised, hold exactly {@code w}. */
    static Net of(Weights w, float dropout) {
        Net net = shape(w.kind(), w.dimension(), w.features(), w.classes(), dropout);
        if (net.hidden != null) {
            net.hidden.getParameters().get("weight").setInitializer(new ArrayInitializer(w.w1()));
            net.hidden.getParameters().get("bias").setInitializer(new ArrayInitializer(w.b1()));
        }
        net.out.getParameters().get("weight").setInitializer(new ArrayInitializer(w.w2()));
        net.out.getParameters().get("bias").setInitializer(new ArrayInitializer(w.b2()));
        return net;
    }

    /** A block of the given shape, parameters not yet set (for loading saved weights into). */
    static Net shape(HeadConfig.Kind kind, int dimension, int features, int classes, float dropout) {
        SequentialBlock block = new SequentialBlock();
        Linear hidden = null;
        if (kind == HeadConfig.Kind.MLP) {
            hidden = Linear.builder().setUnits(features).build();
            block.add(hidden).add(Activation.reluBlock());
        }
        block.add(Dropout.builder().optRate(dropout).build());
        Linear out = Linear.builder().setUnits(classes).build();
        block.add(out);
        return new Net(kind, dimension, features, classes, block, hidden, out);
    }

    /**
     * Creates the parameter arrays in {@code manager}. Inference nets are frozen first, so their
     * arrays never require gradients and no thread's grad mode can make scoring record a graph.
     */
    void initialize(NDManager manager, boolean trainable) {
        if (!trainable) {
            block.freezeParameters(true);
        }
        block.initialize(manager, DataType.FLOAT32, new Shape(1, dimension));
    }

    SequentialBlock block() {
        return block;
    }

    HeadConfig.Kind kind() {
        return kind;
    }

    int dimension() {
        return dimension;
    }

    int features() {
        return features;
    }

    int classes() {
        return classes;
    }

    /**
     * Input to the output layer with dropout off: ReLU(x W1ᵀ + b1), or x itself for LINEAR.
     * Results attach to {@code x}'s manager.
     */
    NDArray features(NDArray x) {
        if (hidden == null) {
            return x;
        }
        NDArray pre = Linear.linear(x, array(hidden, "weight"), array(hidden, "bias")).singletonOrThrow();
        return Activation.relu(pre);
    }

    /** Output layer: f W2ᵀ + b2 (results attach to {@code f}'s manager). */
    NDArray logits(NDArray f) {
        return Linear.linear(f, array(out, "weight"), array(out, "bias")).singletonOrThrow();
    }

    /** Copies the current parameter values out to Java. */
    Weights weights() {
        float[] w1 = hidden == null ? null : array(hidden, "weight").toFloatArray();
        float[] b1 = hidden == null ? null : array(hidden, "bias").toFloatArray();
        return new Weights(kind, dimension, features, classes, w1, b1, array(out, "weight").toFloatArray(),
                array(out, "bias").toFloatArray());
    }

    /** Checks that loaded parameters have the shapes the metadata promised. */
    void checkShapes() {
        if (hidden != null) {
            expect(array(hidden, "weight"), new Shape(features, dimension));
            expect(array(hidden, "bias"), new Shape(features));
        }
        expect(array(out, "weight"), new Shape(classes, features));
        expect(array(out, "bias"), new Shape(classes));
    }

    private static void expect(NDArray array, Shape shape) {
        if (!array.getShape().equals(shape)) {
            throw new IllegalStateException("parameter has shape " + array.getShape() + ", expected " + shape);
        }
    }

    private static NDArray array(Linear layer, String name) {
        Parameter parameter = layer.getParameters().get(name);
        return parameter.getArray();
    }

    /** Hands DJL a parameter's values from a Java array (checked against the shape asked for). */
    private static final class ArrayInitializer implements Initializer {

        private final float[] values;

        ArrayInitializer(float[] values) {
            this.values = values;
        }

        @Override
        public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
            if (shape.size() != values.length) {
                throw new IllegalStateException("parameter of shape " + shape + " cannot take " + values.length
                        + " values");
            }
            return manager.create(values, shape).toType(dataType, false);
        }
    }
}
