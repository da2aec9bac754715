package dev.strata.dsl.expr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Properties over random typed trees (see {@link ExprGen}) and random text. Seeded, so a
 * failure names the seed and depth that reproduce it.
 */
class ExprPropertyTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long SEED = 20011126L;

  /** A seed and a depth: rebuilds the same tree. */
  record Tree(long seed, int depth) {
    TypedExpr expr() {
      ExprGen gen = new ExprGen(seed);
      return gen.gen(gen.anyType(), depth);
    }
  }

  static List<Tree> trees(int count) {
    Random random = new Random(SEED + count);
    List<Tree> trees = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      trees.add(new Tree(random.nextLong(), i % 6));
    }
    return trees;
  }

  @Test
  void canonicalSqlReadsBackAsTheSameTree() {
    for (Tree tree : trees(1500)) {
      TypedExpr e = tree.expr();
      String sql = e.toSql();
      ExpressionResult r = Expressions.compile(sql, ExprGen.SCHEMA);
      assertThat(r.errors()).as("%s: %s", tree, sql).isEmpty();
      assertThat(r.expr()).as("%s: %s", tree, sql).contains(e);
      // Canonical means a fixed point.
      assertThat(r.expr().orElseThrow().toSql()).as("%s", tree).isEqualTo(sql);
    }
  }

  @Test
  void jsonReadsBackAsTheSameTree() throws Exception {
    for (Tree tree : trees(500)) {
      TypedExpr e = tree.expr();
      assertThat(ExprJson.fromJson(ExprJson.toJson(e))).as("%s", tree).isEqualTo(e);
      String text = MAPPER.writeValueAsString(ExprJson.toJson(e));
      assertThat(ExprJson.fromJson(MAPPER.readTree(text))).as("%s", tree).isEqualTo(e);
    }
  }

  @Test
  void evaluationIsTotalAndWellTyped() {
    for (Tree tree : trees(500)) {
      TypedExpr e = tree.expr();
      BoundExpression bound = BoundExpression.bind(e, ExprGen.SCHEMA);
      ExprGen values = new ExprGen(tree.seed() ^ 0x5DEECE66DL);
      for (int i = 0; i < 5; i++) {
        Object v = bound.eval(values.row());
        if (v != null) {
          assertThat(Values.isInstance(v, e.type())).as("%s: %s : %s", tree, v, e.type()).isTrue();
        }
      }
    }
  }

  private static final String[] TOKENS = {
    "delay", "origin", "flag", "date", "`a b`", "x.y", "1", "-", "2.5e3", "'s'", "'", "`", "(", ")", ",",
    "+", "*", "/", "%", "||", "=", "<>", "<=", "!", "AND", "OR", "NOT", "IS", "NULL", "IN", "BETWEEN",
    "LIKE", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "AS", "bigint", "TIMESTAMP", "COALESCE",
    "SUBSTR", "ROUND", "DATE_TRUNC", "TRUE", ".", "#", "1h", "é"
  };

  @Test
  void compileNeverThrowsOnTokenSoup() {
    Random random = new Random(SEED);
    for (int i = 0; i < 1000; i++) {
      int n = random.nextInt(13);
      List<String> tokens = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        tokens.add(TOKENS[random.nextInt(TOKENS.length)]);
      }
      assertCompiles(String.join(" ", tokens));
    }
  }

  @Test
  void compileNeverThrowsOnAnyString() {
    Random random = new Random(SEED + 1);
    for (int i = 0; i < 300; i++) {
      StringBuilder sb = new StringBuilder();
      int n = random.nextInt(30);
      for (int j = 0; j < n; j++) {
        // Mostly printable ASCII, some control characters and some from the rest of the BMP.
        int kind = random.nextInt(10);
        char c = kind < 7 ? (char) (32 + random.nextInt(95)) : kind < 8 ? (char) random.nextInt(32) : (char) (128 + random.nextInt(0xD000));
        sb.append(c);
      }
      assertCompiles(sb.toString());
    }
  }

  private static void assertCompiles(String text) {
    for (DataType expected : new DataType[] {null, DataType.BOOLEAN}) {
      ExpressionResult r = Expressions.compile(text, ExprTestSupport.SCHEMA, expected, "filter");
      assertThat(r.expr().isPresent()).as(text).isNotEqualTo(!r.errors().isEmpty());
      for (ExpressionError error : r.errors()) {
        assertThat(error.offset()).as(text).isBetween(0, text.length());
        assertThat(error.offset() + error.length()).as(text).isLessThanOrEqualTo(text.length());
        assertThat(error.message()).as(text).isNotBlank();
      }
    }
  }
}
