package quarry.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class InterAnnotatorTest {

    private static InterAnnotator.Item item(int[] who, int... values) {
        return new InterAnnotator.Item(who, values);
    }

    private static final int[] AB = {0, 1};

    /** The two-coder case of KrippendorffAlphaTest, with κ, agreement and per-class figures counted by hand. */
    @Test
    void twoAnnotatorsCountedByHand() {
        List<InterAnnotator.Item> items = List.of(item(AB, 0, 0), item(AB, 0, 1), item(AB, 1, 1), item(AB, 1, 1));
        InterAnnotator.Result r = InterAnnotator.measure(items, 2, 2, 1);
        assertEquals(4, r.items());
        assertEquals(1 - 7.0 * 2 / 30, r.alpha(), 1e-12);
        assertEquals(0.75, r.agreement(), 1e-12);
        // a = 0 0 1 1, b = 0 1 1 1: p_o = .75, p_e = .5·.25 + .5·.75 = .5, κ = .5.
        InterAnnotator.Pair p = r.pairs().get(0);
        assertEquals(new InterAnnotator.Pair(0, 1, 4, 0.75, 0.5), p);
        assertEquals(0.5, r.annotators().get(0).kappa(), 1e-12);
        assertEquals(0.5, r.annotators().get(0).meanPairKappa(), 1e-12);
        assertEquals(4, r.annotators().get(1).pairings());
        // Class 0 holds 3 values, 2 of them paired with a 0; class 1 holds 5, 4 paired with a 1.
        assertEquals(3, r.classes().get(0).values());
        assertEquals(2.0 / 3, r.classes().get(0).specificAgreement(), 1e-12);
        assertEquals(0.8, r.classes().get(1).specificAgreement(), 1e-12);
        // With two classes, one-vs-rest is the labeling itself.
        assertEquals(r.alpha(), r.classes().get(0).alpha(), 1e-12);
    }

    @Test
    void threeAnnotatorsWithGapsArePairedOnWhatTheyShare() {
        List<InterAnnotator.Item> items = List.of(
                item(new int[] {0, 1, 2}, 0, 0, 1),
                item(new int[] {0, 2}, 1, 1),
                item(new int[] {1, 2}, 2, 2),
                item(new int[] {0}, 2)); // one annotator: no pairs, left out
        InterAnnotator.Result r = InterAnnotator.measure(items, 3, 3, 2);
        assertEquals(3, r.items());
        assertEquals(3, r.pairs().size());
        InterAnnotator.Pair ab = r.pairs().get(0);
        assertEquals(0, ab.a());
        assertEquals(1, ab.b());
        assertEquals(1, ab.shared());
        assertTrue(Double.isNaN(ab.kappa()), "one shared item is below minShared 2");
        InterAnnotator.Pair ac = r.pairs().get(1);
        assertEquals(2, ac.shared());
        assertEquals(0.5, ac.agreement(), 1e-12);
        // Annotator 2 pairs with 0 and 1 on the first item, with 0 on the second, with 1 on the third.
        InterAnnotator.Annotator c = r.annotators().get(2);
        assertEquals(3, c.items());
        assertEquals(4, c.pairings());
        assertEquals(0.5, c.agreement(), 1e-12);
        // Pairwise agreement overall: item 1 has 3 pairs (1 agrees), items 2 and 3 one each (both agree).
        assertEquals(3.0 / 5, r.agreement(), 1e-12);
        assertEquals(KrippendorffAlpha.nominal(List.of(new int[] {0, 0, 1}, new int[] {1, 1}, new int[] {2, 2}), 3),
                r.alpha(), 1e-12);
    }

    @Test
    void degenerateCases() {
        InterAnnotator.Result none = InterAnnotator.measure(List.of(item(new int[] {0}, 1)), 2, 3, 1);
        assertEquals(0, none.items());
        assertTrue(Double.isNaN(none.alpha()) && Double.isNaN(none.agreement()));
        assertTrue(none.pairs().isEmpty());
        assertEquals(0, none.annotators().get(0).items());
        assertTrue(Double.isNaN(none.annotators().get(0).kappa()));
        assertTrue(Double.isNaN(none.annotators().get(0).meanPairKappa()));
        assertTrue(none.classes().stream().allMatch(c -> Double.isNaN(c.alpha()) && c.values() == 0));

        // Everyone always says class 1: perfect, if uninformative (α = κ = 1); classes nobody used have no α.
        InterAnnotator.Result same = InterAnnotator.measure(List.of(item(AB, 1, 1), item(AB, 1, 1)), 2, 3, 1);
        assertEquals(1.0, same.alpha());
        assertEquals(1.0, same.pairs().get(0).kappa());
        assertEquals(1.0, same.classes().get(1).alpha());
        assertEquals(1.0, same.classes().get(1).specificAgreement());
        assertTrue(Double.isNaN(same.classes().get(0).alpha()));
        assertTrue(Double.isNaN(same.classes().get(0).specificAgreement()));

        // Never agreeing, on two classes used evenly: α and κ below zero.
        InterAnnotator.Result never = InterAnnotator.measure(List.of(item(AB, 0, 1), item(AB, 1, 0)), 2, 2, 1);
        assertEquals(0.0, never.agreement());
        assertTrue(never.alpha() < 0 && never.pairs().get(0).kappa() < 0, never.toString());
    }

    @Test
    void badInputNamesTheItem() {
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> InterAnnotator.measure(
                List.of(item(AB, 0, 0), item(new int[] {1, 1}, 0, 0)), 2, 2, 1));
        assertTrue(twice.getMessage().startsWith("item 1 has annotator 1"), twice.getMessage());
        IllegalArgumentException value = assertThrows(IllegalArgumentException.class, () -> InterAnnotator.measure(
                List.of(item(AB, 0, 5)), 2, 2, 1));
        assertTrue(value.getMessage().startsWith("item 0 has value 5"), value.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InterAnnotator.measure(List.of(item(AB, 0)), 2, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> InterAnnotator.measure(List.of(), 2, 2, 0));
    }

    /**
     * Two annotators on 2,000 items of 5 even classes; the second changes exactly 10% of the first's
     * labels (a seeded choice of items) to another class at random. Expected: p_o = 0.9,
     * p_e ≈ 0.2, so κ ≈ α ≈ (0.9 − 0.2) / 0.8 = 0.875.
     */
    @Test
    void tenPercentFlipsGiveTheExpectedKappa() {
        Random random = new Random(42);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, random);
        java.util.Set<Integer> flipped = new java.util.HashSet<>(order.subList(0, 200));
        List<InterAnnotator.Item> items = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            int truth = i % 5;
            int other = flipped.contains(i) ? (truth + 1 + random.nextInt(4)) % 5 : truth;
            items.add(item(AB, truth, other));
        }
        InterAnnotator.Result r = InterAnnotator.measure(items, 2, 5, 10);
        assertEquals(0.9, r.agreement(), 1e-12);
        assertEquals(0.875, r.pairs().get(0).kappa(), 0.005);
        assertEquals(r.pairs().get(0).kappa(), r.alpha(), 0.005, "α and κ nearly match for two annotators and many items");
        for (InterAnnotator.PerClass c : r.classes()) {
            assertEquals(0.9, c.specificAgreement(), 0.04, "each class: about 90% agreed");
        }
    }
}
