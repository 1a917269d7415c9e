package quarry.encode.tune;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * SetFit's training pairs: for each labeled example, alternately a positive (another example of
 * its class, target 1) and a negative (an example of another class, target 0). A class with one
 * example gets negatives only.
 */
final class Pairs {

    /** Two examples (row numbers) and whether they share a label. */
    record Pair(int left, int right, boolean same) {
    }

    private Pairs() {
    }

    /**
     * {@code perExample} pairs for every example, shuffled, the first {@code max} of them.
     *
     * @param classOf class index of each example; at least two classes must occur
     */
    static List<Pair> draw(int[] classOf, int perExample, int max, SplittableRandom random) {
        List<List<Integer>> byClass = byClass(classOf);
        if (byClass.stream().filter(c -> !c.isEmpty()).count() < 2) {
            throw new IllegalArgumentException("contrastive pairs need at least two different labels");
        }
        List<Pair> pairs = new ArrayList<>(classOf.length * perExample);
        for (int i = 0; i < classOf.length; i++) {
            List<Integer> own = byClass.get(classOf[i]);
            for (int r = 0; r < perExample; r++) {
                if (r % 2 == 0 && own.size() > 1) {
                    int j = own.get(random.nextInt(own.size() - 1));
                    // skip i itself: draw from the other size-1 members
                    pairs.add(new Pair(i, j == i ? own.get(own.size() - 1) : j, true));
                } else {
                    int j;
                    do {
                        j = random.nextInt(classOf.length);
                    } while (classOf[j] == classOf[i]);
                    pairs.add(new Pair(i, j, false));
                }
            }
        }
        shuffle(pairs, random);
        return pairs.size() > max ? List.copyOf(pairs.subList(0, max)) : pairs;
    }

    static <T> void shuffle(List<T> items, SplittableRandom random) {
        for (int i = items.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = items.get(i);
            items.set(i, items.get(j));
            items.set(j, t);
        }
    }

    private static List<List<Integer>> byClass(int[] classOf) {
        int classes = 0;
        for (int c : classOf) {
            if (c < 0) {
                throw new IllegalArgumentException("class index " + c + " < 0");
            }
            classes = Math.max(classes, c + 1);
        }
        List<List<Integer>> byClass = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < classOf.length; i++) {
            byClass.get(classOf[i]).add(i);
        }
        return byClass;
    }
}
