package quarry.query;

/**
 * A score per candidate (higher = pick sooner), with the uncertainty and density behind it
 * (NaN where not used) and the predicted class (-1 where unknown), all parallel to {@code rows}.
 */
record Scores(int[] rows, float[] score, float[] uncertainty, float[] density, int[] predicted) {

    static Scores empty(int[] rows) {
        int n = rows.length;
        float[] nan = new float[n];
        java.util.Arrays.fill(nan, Float.NaN);
        int[] none = new int[n];
        java.util.Arrays.fill(none, -1);
        return new Scores(rows, new float[n], nan, nan.clone(), none);
    }
}
