package quarry.encode.tune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
     * One update from the gradients the last backward pass left, then clears them. Call inside an
     * {@code NDScope}: the temporaries (and the gradient handles) are freed when it closes.
     */
    void step(float learningRate) {
        steps++;
        float correction1 = 1 - (float) Math.pow(BETA1, steps);
        float correction2 = 1 - (float) Math.pow(BETA2, steps);
        List<NDArray> grads = new ArrayList<>(slots.size());
        double squares = 0;
        for (Slot s : slots) {
            NDArray grad = s.weight.getGradient();
            grads.add(grad);
            // in float64: a float32 sum of squares overflows to infinity at a norm of ~1.8e19, which
            // clipping would have handled; only a truly non-finite gradient stops the run
            squares += grad.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).square().sum().getDouble();
        }
        if (!Double.isFinite(squares)) {
            throw new quarry.core.QuarryException("fine-tune diverged: the gradient of step " + steps
                    + " is not finite; nothing written");
        }
        // BERT fine-tuning's usual guard: the gradient's global norm is clipped to MAX_NORM
        float clip = (float) Math.min(1, MAX_NORM / (Math.sqrt(squares) + 1e-6));
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            NDArray grad = grads.get(i);
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
