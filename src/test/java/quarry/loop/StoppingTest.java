package quarry.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Each stopping criterion on constructed round histories. */
@Tag("unit")
class StoppingTest {

    private static final StopSettings DEFAULTS = StopSettings.defaults();
    private static final int STOP_SET = 1000;

    /** Stop-set predictions: item i predicted as i % 10, with the first {@code changed} items moved to another class. */
    private static int[] predictions(int changed) {
        int[] p = new int[STOP_SET];
        for (int i = 0; i < STOP_SET; i++) {
            p[i] = i < changed ? (i + 1) % 10 : i % 10;
        }
        return p;
    }

    private static StopRound round(int labels, int[] predictions) {
        return new StopRound(labels, predictions, Double.NaN, Double.NaN, Double.NaN);
    }

    /** Rounds 50 labels apart whose predictions differ from the base by the given counts. */
    private static List<StopRound> rounds(int... changedPerRound) {
        List<StopRound> history = new ArrayList<>();
        for (int r = 0; r < changedPerRound.length; r++) {
            history.add(round(150 + 50 * r, predictions(changedPerRound[r])));
        }
        return history;
    }

    // ---- stabilizing predictions ----

    @Test
    void identicalPredictionsFireOnceTheWindowIsFull() {
        List<StopRound> history = rounds(0, 0, 0, 0);
        StopSignal s = Stopping.stabilizingPredictions(history, DEFAULTS);
        assertTrue(s.fire());
        assertEquals(1.0, s.value(), 0);
        assertEquals("stabilizing-predictions", s.criterion());
        assertTrue(s.explanation().startsWith("predictions have stabilised, κ ≥ 0.99 over the last 3 rounds"),
                s.explanation());
    }

    @Test
    void stabilizingPredictionsWaitsForTheWholeWindow() {
        StopSignal s = Stopping.stabilizingPredictions(rounds(0, 0, 0), DEFAULTS);
        assertFalse(s.fire(), "three rounds give only two κ values");
        assertEquals(1.0, s.value(), 0);
        assertTrue(s.explanation().startsWith("waiting"), s.explanation());
        assertFalse(Stopping.stabilizingPredictions(rounds(0), DEFAULTS).fire());
        assertTrue(Double.isNaN(Stopping.stabilizingPredictions(rounds(0), DEFAULTS).value()));
        assertTrue(Stopping.stabilizingPredictions(rounds(0, 0, 0), DEFAULTS.withKappa(2, 0.99)).fire());
    }

    @Test
    void oneUnstableRoundHoldsOffStabilizingPredictionsForTheWindow() {
        // round 3 changes 300 of 1000 predictions; rounds 4 onwards equal round 3
        List<StopRound> history = rounds(0, 0, 0, 300, 300, 300, 300);
        assertFalse(Stopping.stabilizingPredictions(history.subList(0, 6), DEFAULTS).fire());
        assertTrue(Stopping.stabilizingPredictions(history, DEFAULTS).fire());
        // with a window of 2 the first two κ values (rounds 0-1, 1-2) already suffice
        assertEquals(OptionalInt.of(2), Stopping.firstRoundFired(history, StopCriterion.STABILIZING_PREDICTIONS,
                DEFAULTS.withKappa(2, 0.99)));
        assertEquals(OptionalInt.of(6), Stopping.firstRoundFired(history, StopCriterion.STABILIZING_PREDICTIONS));
    }

    @Test
    void kappaJustBelowTheThresholdDoesNotFire() {
        // 30 of 1000 changed between rounds: κ ≈ 0.967 < 0.99
        List<StopRound> history = rounds(0, 30, 0, 30);
        StopSignal s = Stopping.stabilizingPredictions(history, DEFAULTS);
        assertFalse(s.fire());
        assertTrue(s.value() < 0.99 && s.value() > 0.9, "κ " + s.value());
        assertTrue(Stopping.stabilizingPredictions(history, DEFAULTS.withKappa(3, 0.95)).fire());
    }

    @Test
    void roundsWithoutAModelBreakTheChain() {
        List<StopRound> history = rounds(0, 0, 0, 0);
        history.set(1, round(200, null));
        assertFalse(Stopping.stabilizingPredictions(history, DEFAULTS).fire());
    }

    @Test
    void anEmptyStopSetNeverFires() {
        List<StopRound> history = List.of(round(100, new int[0]), round(150, new int[0]), round(200, new int[0]),
                round(250, new int[0]));
        assertFalse(Stopping.stabilizingPredictions(history, DEFAULTS).fire());
        assertFalse(Stopping.classificationChange(history, DEFAULTS).fire());
    }

    @Test
    void theStopSetMustStayFixed() {
        List<StopRound> history = List.of(round(100, new int[] {0, 1}), round(150, new int[] {0, 1, 2}));
        assertThrows(IllegalArgumentException.class, () -> Stopping.stabilizingPredictions(history, DEFAULTS));
    }

    // ---- overall uncertainty ----

    @Test
    void overallUncertaintyFiresBelowTheThreshold() {
        List<StopRound> low = List.of(new StopRound(100, null, 0.05, 0.6, Double.NaN));
        List<StopRound> high = List.of(new StopRound(100, null, 0.2, 0.6, Double.NaN));
        assertTrue(Stopping.uncertainty(low, DEFAULTS).fire());
        assertEquals(0.05, Stopping.uncertainty(low, DEFAULTS).value(), 0);
        assertFalse(Stopping.uncertainty(high, DEFAULTS).fire());
        // judged on the max, the same round is not calm
        StopSettings max = DEFAULTS.withUncertainty(StopSettings.Aggregate.MAX, 0.1);
        assertFalse(Stopping.uncertainty(low, max).fire());
        assertEquals(0.6, Stopping.uncertainty(low, max).value(), 0);
        assertTrue(Stopping.uncertainty(low, DEFAULTS.withUncertainty(StopSettings.Aggregate.MAX, 0.7)).fire());
    }

    @Test
    void overallUncertaintyWaitsWithoutAValue() {
        assertFalse(Stopping.uncertainty(rounds(0), DEFAULTS).fire());
        assertFalse(Stopping.uncertainty(List.of(), DEFAULTS).fire());
    }

    // ---- classification change ----

    @Test
    void classificationChangeFiresWhenFewPredictionsChange() {
        StopSignal four = Stopping.classificationChange(rounds(0, 4), DEFAULTS);
        assertTrue(four.fire(), four.explanation());
        assertEquals(0.004, four.value(), 1e-15);
        StopSignal five = Stopping.classificationChange(rounds(0, 5), DEFAULTS);
        assertFalse(five.fire(), "0.5% is not below 0.5%");
        assertFalse(Stopping.classificationChange(rounds(0, 40), DEFAULTS).fire());
        assertTrue(Stopping.classificationChange(rounds(0, 40), DEFAULTS.withChangeThreshold(0.05)).fire());
        assertFalse(Stopping.classificationChange(rounds(0), DEFAULTS).fire(), "needs two rounds");
    }

    @Test
    void classificationChangeComparesOnlyTheLastTwoRounds() {
        assertTrue(Stopping.classificationChange(rounds(0, 300, 301), DEFAULTS).fire());
    }

    // ---- learning-curve plateau ----

    private static final double[] ACCURACY = {0.40, 0.50, 0.58, 0.64, 0.68, 0.70, 0.705, 0.708};

    /** Rounds at 150, 200, … labels with the accuracy estimates above. */
    private static List<StopRound> curve(double... accuracy) {
        List<StopRound> history = new ArrayList<>();
        for (int r = 0; r < accuracy.length; r++) {
            history.add(new StopRound(150 + 50 * r, null, Double.NaN, Double.NaN, accuracy[r]));
        }
        return history;
    }

    /** The seed document's rule: gain under 1 point per 50 labels, over 3 estimates 50 labels apart. */
    private static final StopSettings SEED_RULE = DEFAULTS.withPlateau(0.01, 50, 100);

    @Test
    void plateauIsFoundWhereGainsFallUnderOnePercentPer50Labels() {
        List<StopRound> history = curve(ACCURACY);
        // span 100: gain per 50 labels = (y[t] − y[t−2]) / 2: …, 0.03, 0.0125, 0.004 -> first under 0.01 at round 7
        assertEquals(OptionalInt.of(7), Stopping.firstRoundFired(history, StopCriterion.PLATEAU, SEED_RULE));
        StopSignal s = Stopping.plateau(history, SEED_RULE);
        assertTrue(s.fire());
        assertEquals(0.004, s.value(), 1e-12);
        assertTrue(s.explanation().startsWith("the learning curve has flattened"), s.explanation());
        assertFalse(Stopping.plateau(history.subList(0, 7), SEED_RULE).fire());
        assertEquals(0.0125, Stopping.plateau(history.subList(0, 7), SEED_RULE).value(), 1e-12);
    }

    @Test
    void plateauSpanIsRespected() {
        List<StopRound> history = curve(ACCURACY);
        // span 50: gain per 50 labels = y[t] − y[t−1]: 0.02 at round 5, 0.005 at round 6
        assertEquals(OptionalInt.of(6),
                Stopping.firstRoundFired(history, StopCriterion.PLATEAU, DEFAULTS.withPlateau(0.01, 50, 50)));
        // the same rule per 100 labels doubles the gains: 0.01 at round 6 is not below, 0.008 at round 7 is
        assertEquals(OptionalInt.of(7),
                Stopping.firstRoundFired(history, StopCriterion.PLATEAU, DEFAULTS.withPlateau(0.01, 100, 50)));
        StopSignal tooShort = Stopping.plateau(curve(0.5, 0.5), SEED_RULE);
        assertFalse(tooShort.fire(), "estimates must span 100 labels");
        assertTrue(tooShort.explanation().startsWith("waiting: needs accuracy estimates spanning 100 labels, has 50"),
                tooShort.explanation());
    }

    @Test
    void plateauUsesALeastSquaresSlopeAndSkipsRoundsWithoutAnEstimate() {
        // labels 150, 200, 250 (no estimate), 300; points (150, .6), (200, .61), (300, .61)
        List<StopRound> history = curve(0.6, 0.61, Double.NaN, 0.61);
        StopSignal s = Stopping.plateau(history, DEFAULTS.withPlateau(0.01, 50, 150));
        // least squares over (150, .6), (200, .61), (300, .61): about 0.0029 per 50 labels
        double slope = slope(new double[] {150, 200, 300}, new double[] {0.6, 0.61, 0.61});
        assertEquals(slope * 50, s.value(), 1e-12);
        assertTrue(s.fire());
        // a span of 100 labels leaves (200, .61) and (300, .61): flat
        assertEquals(0.0, Stopping.plateau(history, SEED_RULE).value(), 1e-12);
        assertTrue(Stopping.plateau(curve(0.7, 0.65, 0.6), SEED_RULE).fire(), "a falling curve is flat too");
    }

    @Test
    void plateauSpanCountsLabelsNotRounds() {
        // estimates every 4 rounds (200 labels) as the simulator makes them: within 100 labels there is only one
        List<StopRound> sparse = new ArrayList<>();
        for (int r = 0; r < 12; r++) {
            sparse.add(new StopRound(150 + 50 * r, null, Double.NaN, Double.NaN, r % 4 == 0 ? 0.5 + 0.001 * r : Double.NaN));
        }
        StopSignal one = Stopping.plateau(sparse, SEED_RULE);
        assertFalse(one.fire());
        assertTrue(one.explanation().startsWith("waiting: needs 2 accuracy estimates within the last 100 labels"),
                one.explanation());
        // judged over 400 labels: the three estimates at 150, 350 and 550 labels, 0.1 points per 50 labels
        StopSignal all = Stopping.plateau(sparse, DEFAULTS.withPlateau(0.01, 50, 400));
        assertEquals(0.001, all.value(), 1e-12);
        assertTrue(all.fire());
    }

    @Test
    void defaultPlateauWaitsForAThousandLabelsOfSlowGains() {
        // estimates every round: +1 point per 50 labels up to 1,150 labels, then +0.2 points per 50
        List<StopRound> history = new ArrayList<>();
        double accuracy = 0.40;
        for (int labels = 150; labels <= 2_500; labels += 50) {
            accuracy += labels <= 1_150 ? (labels == 150 ? 0 : 0.01) : 0.002;
            history.add(new StopRound(labels, null, Double.NaN, Double.NaN, accuracy));
        }
        int seedRule = history.get(Stopping.firstRoundFired(history, StopCriterion.PLATEAU, SEED_RULE).orElseThrow())
                .labelsUsed();
        int byDefault = history.get(Stopping.firstRoundFired(history, StopCriterion.PLATEAU).orElseThrow())
                .labelsUsed();
        // the seed rule fires as soon as its 3 estimates straddle the bend
        assertEquals(1_200, seedRule);
        // the default needs the 1,000-label line under 1 point per 200 labels (0.25 per 50); it is
        // exactly 0.2 per 50 once the whole span lies past the bend at 1,150, so it fires by 2,150
        assertTrue(byDefault > 1_500 && byDefault <= 2_150, "fired at " + byDefault);
        StopSignal last = Stopping.plateau(history, DEFAULTS);
        assertEquals(0.008, last.value(), 1e-9);
        assertTrue(last.explanation().contains("over the last 1,000 labels (21 estimates, 1,500 to 2,500 labels)"),
                last.explanation());
        assertFalse(Stopping.plateau(history.subList(0, 20), DEFAULTS).fire(), "waits for estimates over 1,000 labels");
    }

    private static double slope(double[] x, double[] y) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i] / x.length;
            my += y[i] / y.length;
        }
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxy / sxx;
    }

    // ---- budget ----

    @Test
    void budgetFiresWhenLabelsUsedReachIt() {
        StopSettings budget = DEFAULTS.withBudget(300);
        assertFalse(Stopping.budget(List.of(round(250, null)), budget).fire());
        StopSignal at = Stopping.budget(List.of(round(300, null)), budget);
        assertTrue(at.fire());
        assertEquals(300, at.value(), 0);
        assertTrue(Stopping.budget(List.of(round(320, null)), budget).fire());
        assertFalse(Stopping.budget(List.of(round(1_000_000, null)), DEFAULTS).fire(), "no budget by default");
    }

    // ---- the verdict ----

    /** Every criterion fires on the last round of this history: stable, calm, flat, over a budget of 300. */
    private static List<StopRound> everythingFires() {
        List<StopRound> history = new ArrayList<>();
        for (int r = 0; r <= 20; r++) {
            history.add(new StopRound(150 + 50 * r, predictions(0), 0.05, 0.3, 0.8 + 0.0001 * r));
        }
        return history;
    }

    @Test
    void stopNowNamesTheFirstFiringCriterionInPriorityOrder() {
        List<StopRound> history = everythingFires();
        StopReport withBudget = Stopping.evaluate(history, DEFAULTS.withBudget(300));
        assertEquals(5, withBudget.signals().size());
        assertTrue(withBudget.signals().stream().allMatch(StopSignal::fire));
        assertTrue(withBudget.stopNow());
        assertEquals("budget", withBudget.criterion());
        assertEquals("budget", withBudget.firing().orElseThrow().criterion());

        StopReport noBudget = Stopping.evaluate(history, DEFAULTS);
        assertEquals("stabilizing-predictions", noBudget.criterion());
        assertTrue(noBudget.message().startsWith("stop now (stabilizing-predictions): predictions have stabilised"),
                noBudget.message());

        StopReport noKappa = Stopping.evaluate(history, DEFAULTS.withStopOn(
                EnumSet.of(StopCriterion.UNCERTAINTY, StopCriterion.CLASSIFICATION_CHANGE, StopCriterion.PLATEAU)));
        assertEquals("plateau", noKappa.criterion());
        assertTrue(noKappa.signal(StopCriterion.STABILIZING_PREDICTIONS).orElseThrow().fire(),
                "criteria not stopped on are still computed and reported");

        StopReport lastResort = Stopping.evaluate(history, DEFAULTS.withStopOn(
                EnumSet.of(StopCriterion.UNCERTAINTY, StopCriterion.CLASSIFICATION_CHANGE)));
        assertEquals("classification-change", lastResort.criterion());
    }

    @Test
    void signalsComeInPriorityOrder() {
        List<String> ids = Stopping.evaluate(everythingFires(), DEFAULTS).signals().stream()
                .map(StopSignal::criterion).toList();
        assertEquals(List.of("budget", "stabilizing-predictions", "plateau", "classification-change", "uncertainty"), ids);
    }

    @Test
    void keepLabelingWhenNothingFiresOrOnlyIgnoredCriteriaFire() {
        StopReport early = Stopping.evaluate(rounds(0, 300), DEFAULTS);
        assertFalse(early.stopNow());
        assertEquals("", early.criterion());
        assertTrue(early.firing().isEmpty());
        assertEquals("keep labeling: no stopping criterion has fired", early.message());

        StopReport ignored = Stopping.evaluate(everythingFires(), DEFAULTS.withStopOn(EnumSet.noneOf(StopCriterion.class)));
        assertFalse(ignored.stopNow());
        assertTrue(ignored.message().startsWith("keep labeling: no criterion you stop on has fired"), ignored.message());

        StopReport empty = Stopping.evaluate(List.of(), DEFAULTS);
        assertFalse(empty.stopNow());
        assertEquals(5, empty.signals().size());
    }

    @Test
    void plateauAndUncertaintyOnlyAdviseByDefault() {
        // predictions keep changing (a tenth of the stop set every round), yet the model is calm and the estimate flat
        List<StopRound> history = new ArrayList<>();
        for (int r = 0; r <= 20; r++) {
            history.add(new StopRound(150 + 50 * r, predictions(r % 2 == 0 ? 0 : 100), 0.05, 0.3, 0.8));
        }
        StopReport report = Stopping.evaluate(history, DEFAULTS);
        assertTrue(report.signal(StopCriterion.PLATEAU).orElseThrow().fire());
        assertTrue(report.signal(StopCriterion.UNCERTAINTY).orElseThrow().fire());
        assertFalse(report.stopNow());
        assertEquals("keep labeling: no criterion you stop on has fired (2 others have)", report.message());
        assertEquals(Set.of(StopCriterion.BUDGET, StopCriterion.STABILIZING_PREDICTIONS,
                StopCriterion.CLASSIFICATION_CHANGE), DEFAULTS.stopOn());
        assertTrue(Stopping.evaluate(history, DEFAULTS.withStopOn(EnumSet.allOf(StopCriterion.class))).stopNow());
    }

    @Test
    void firstRoundStoppedFollowsTheVerdict() {
        // stable from the start, so κ fires once three κ values exist: round 3
        List<StopRound> history = rounds(0, 0, 0, 0, 0);
        assertEquals(OptionalInt.of(3), Stopping.firstRoundStopped(history, DEFAULTS
                .withStopOn(EnumSet.of(StopCriterion.STABILIZING_PREDICTIONS))));
        // classification change alone fires as soon as two rounds agree: round 1
        assertEquals(OptionalInt.of(1), Stopping.firstRoundStopped(history, DEFAULTS));
        assertTrue(Stopping.firstRoundFired(history, StopCriterion.BUDGET).isEmpty());
    }

    @Test
    void flattenedRoundForTheSimulator() {
        double[] testAccuracy = {0.5, 0.7, 0.8, 0.85, 0.86, 0.865, 0.87};
        assertEquals(5, Stopping.flattenedRound(testAccuracy));
        assertEquals(4, Stopping.flattenedRound(testAccuracy, 0.02));
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withPlateau(0.01, 50, 0));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withPlateau(0.01, 0, 1_000));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withKappa(0, 0.99));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withBudget(-1));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withChangeThreshold(1.5));
        assertEquals(StopCriterion.PLATEAU, StopCriterion.byId("plateau"));
        assertEquals(StopCriterion.STABILIZING_PREDICTIONS, StopCriterion.byId("STABILIZING_PREDICTIONS"));
        assertThrows(IllegalArgumentException.class, () -> StopCriterion.byId("nope"));
    }

    @Test
    void aGrownStopSetIsComparedOnTheRowsBothRoundsSaw() {
        StopSettings settings = StopSettings.defaults().withKappa(1, 0.99);
        StopRound before = new StopRound(100, new int[] {0, 1, 0, 1}, 0.1, 0.2, Double.NaN, new int[] {0, 1, 2, 3});
        StopRound same = new StopRound(150, new int[] {0, 1, 0, 1, 1, 0}, 0.1, 0.2, Double.NaN,
                new int[] {0, 1, 2, 3, 10, 11});
        StopSignal stable = Stopping.stabilizingPredictions(List.of(before, same), settings);
        assertEquals(1.0, stable.value(), 1e-9, "the four shared rows agree; rows 10 and 11 are new");
        StopRound changed = new StopRound(150, new int[] {1, 1, 0, 1, 1, 0}, 0.1, 0.2, Double.NaN,
                new int[] {0, 1, 2, 3, 10, 11});
        assertTrue(Stopping.stabilizingPredictions(List.of(before, changed), settings).value() < 1.0);
        StopSignal change = Stopping.classificationChange(List.of(before, changed), settings);
        assertEquals(0.25, change.value(), 1e-9, "one of the four shared rows changed; new rows do not count");
        assertThrows(IllegalArgumentException.class, () -> new StopRound(1, new int[] {0}, 0, 0, 0, new int[] {0, 1}));
    }
}
