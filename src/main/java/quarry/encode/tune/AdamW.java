package quarry.encode.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * AdamW (decoupled weight decay, none on biases and LayerNorms, gradients clipped to a global norm
 * of 1, as BERT fine-tuning does) with its moments in a manager the caller closes: DJL's own optimizers detach their state from every
 * manager, which for an encoder would leak two copies of its 90 MB of weights per fine-tune.
 */
final class AdamW {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-6f;
    private static final double MAX_NORM = 1.0;

    private record Slot(NDArray weight, NDArray first, NDArray second, boolean decay) {
    }

    private final List<Slot> slots = new ArrayList<>();
    private final float weightDecay;
    private int steps;

    /** @param state owns the moments: close it after training */
    AdamW(Map<String, NDArray> parameters, NDManager state, float weightDecay) {
        this.weightDecay = weightDecay;
        parameters.forEach((name, weight) -> slots.add(new Slot(weight, state.zeros(weight.getShape()),
                state.zeros(weight.getShape()), !name.endsWith(".bias") && !name.contains("LayerNorm"))));
    }

    /**
     * The squared global norm of the gradients the last backward pass left, summed in float64: a
     * float32 sum of squares overflows to infinity at a norm of ~1.8e19, which clipping handles.
     * Not finite when a gradient holds an infinity or a NaN. Call inside an {@code NDScope}.
     */
    double squaredNorm() {
        double squares = 0;
        for (Slot s : slots) {
            squares += s.weight.getGradient().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).square().sum()
                    .getDouble();
        }
        return squares;
    }

    /** Drops the gradients the last backward pass left, without an update (a skipped step). */
    void clearGradients() {
        for (Slot s : slots) {
            // Set, not subtracted: infinity minus infinity is NaN, and would poison every later step.
            s.weight.getGradient().set(new NDIndex("..."), 0f);
        }
    }

    /**
     * One update from the gradients the last backward pass left (their {@link #squaredNorm},
     * finite), then clears them. Call inside an {@code NDScope}: the temporaries (and the gradient
     * handles) are freed when it closes.
     */
    void step(float learningRate, double squares) {
        if (!Double.isFinite(squares)) {
            throw new IllegalArgumentException("a step needs a finite gradient, got a squared norm of " + squares);
        }
        steps++;
        float correction1 = 1 - (float) Math.pow(BETA1, steps);
        float correction2 = 1 - (float) Math.pow(BETA2, steps);
        // BERT fine-tuning's usual guard: the gradient's global norm is clipped to MAX_NORM
        float clip = (float) Math.min(1, MAX_NORM / (Math.sqrt(squares) + 1e-6));
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            NDArray grad = s.weight.getGradient();
            s.first.muli(BETA1).addi(grad.mul(clip * (1 - BETA1)));
            s.second.muli(BETA2).addi(grad.square().muli(clip * clip * (1 - BETA2)));
            NDArray update = s.first.div(correction1).divi(s.second.div(correction2).sqrt().addi(EPSILON));
            // detached views share the weights' storage: the update is written in place, outside autograd
            NDArray weight = s.weight.stopGradient();
            if (s.decay && weightDecay > 0) {
                weight.muli(1 - learningRate * weightDecay);
            }
            weight.subi(update.muli(learningRate));
            grad.subi(grad);
        }
    }
}
