package quarry.index;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link VectorMath}'s dot product in SIMD lanes; loaded only when the vector module is present. */
final class SimdDot implements VectorMath.Dot {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    @Override
    public float dot(float[] a, float[] b) {
        int lanes = SPECIES.length();
        // Two accumulators: a fused multiply-add waits for the previous one on the same register.
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        int i = 0;
        int upper2 = a.length - a.length % (2 * lanes);
        for (; i < upper2; i += 2 * lanes) {
            acc0 = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, b, i), acc0);
            acc1 = FloatVector.fromArray(SPECIES, a, i + lanes).fma(FloatVector.fromArray(SPECIES, b, i + lanes), acc1);
        }
        int upper = SPECIES.loopBound(a.length);
        for (; i < upper; i += lanes) {
            acc0 = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, b, i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    @Override
    public String toString() {
        return "SIMD (" + SPECIES.length() + " floats a lane)";
    }
}
