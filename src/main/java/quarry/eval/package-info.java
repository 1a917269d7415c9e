/**
 * Evaluation without an engine: classification metrics ({@link quarry.eval.Metrics}), agreement
 * between two models ({@link quarry.eval.CohenKappa}), learning-curve arithmetic
 * ({@link quarry.eval.LearningCurve}), the safe-to-accept threshold ({@link quarry.eval.SafeToAccept})
 * and cross-validation splits ({@link quarry.eval.CrossValidation}). Plain Java; imports nothing
 * outside the JDK and {@code quarry.core}.
 */
package quarry.eval;
