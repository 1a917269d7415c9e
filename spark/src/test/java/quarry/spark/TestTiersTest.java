package quarry.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every test class of the Spark module names its tier, as the root's do (its TestTiersTest), so
 * that {@code -Dgroups=unit} and {@code -DexcludedGroups=...} mean the same here.
 */
@Tag("unit")
class TestTiersTest {

    static final Set<String> TIERS = Set.of("unit", "integration", "browser", "data");

    @Test
    void everyTestClassHasATier() throws Exception {
        Path classes = Path.of(TestTiersTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> untagged = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> c = Class.forName(name, false, getClass().getClassLoader());
                if (Arrays.stream(c.getDeclaredMethods()).noneMatch(TestTiersTest::isTest)) {
                    continue;
                }
                checked++;
                List<String> tags = Arrays.stream(c.getAnnotationsByType(Tag.class)).map(Tag::value).toList();
                if (tags.isEmpty() || !TIERS.containsAll(tags)) {
                    untagged.add(name + " " + tags);
                }
            }
        }
        assertEquals(List.of(), untagged, "test classes without a tier of " + TIERS);
        assertEquals(true, checked >= 2, "found the module's test classes");
    }

    private static boolean isTest(Method m) {
        return m.isAnnotationPresent(Test.class);
    }
}
