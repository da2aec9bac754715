package dev.strata.dsl.expr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The stable JSON form of expressions in compiled plans. Every node carries its {@code type}
 * ({@link DataType#sqlName()}):
 *
 * <pre>
 * {"literal": 0, "type": "bigint"}            literal; timestamps are ISO-8601 text, NaN/Infinity
 *                                             are text, NULL is null
 * {"column": "distance", "type": "bigint"}
 * {"op": "gt", "type": "boolean", "args": [..]}   unary, binary, in, between, like, cast
 * {"op": "call", "function": "coalesce", "type": "bigint", "args": [..]}
 * {"op": "case", "type": "double", "operand": {..}, "branches": [{"when": {..}, "then": {..}}], "else": {..}}
 * </pre>
 *
 * <p>Op names: not, neg, is_null, is_not_null, add, sub, mul, div, mod, eq, ne, lt, le, gt, ge,
 * and, or, concat, in, not_in, between, not_between, like, not_like, cast, call, case. For IN
 * the first arg is the value and the rest the list; for BETWEEN the args are value, low, high.
 */
public final class ExprJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Map<String, UnaryOp> UNARY = byName(UnaryOp.values(), UnaryOp::jsonName);
  private static final Map<String, BinaryOp> BINARY = byName(BinaryOp.values(), BinaryOp::jsonName);
  private static final Map<String, BuiltinFunction> FUNCTIONS =
      byName(BuiltinFunction.values(), BuiltinFunction::jsonName);

  private ExprJson() {}

  private static <T> Map<String, T> byName(T[] values, Function<T, String> name) {
    return Arrays.stream(values).collect(Collectors.toUnmodifiableMap(name, v -> v));
  }

  public static JsonNode toJson(TypedExpr e) {
    return e.accept(WRITER);
  }

  private static final ExprVisitor<JsonNode> WRITER =
      new ExprVisitor<>() {
        @Override
        public JsonNode literal(Literal l) {
          ObjectNode n = NODES.objectNode();
          n.set("literal", literalValue(l));
          return typed(n, l);
        }

        @Override
        public JsonNode column(ColumnRef c) {
          ObjectNode n = NODES.objectNode();
          n.put("column", c.name());
          return typed(n, c);
        }

        @Override
        public JsonNode unary(Unary u) {
          return op(u.op().jsonName(), u, u.arg());
        }

        @Override
        public JsonNode binary(Binary b) {
          return op(b.op().jsonName(), b, b.left(), b.right());
        }

        @Override
        public JsonNode in(InList in) {
          return op(in.negated() ? "not_in" : "in", in, in.children().toArray(TypedExpr[]::new));
        }

        @Override
        public JsonNode between(Between b) {
          return op(b.negated() ? "not_between" : "between", b, b.value(), b.low(), b.high());
        }

        @Override
        public JsonNode like(Like l) {
          return op(l.negated() ? "not_like" : "like", l, l.value(), l.pattern());
        }

        @Override
        public JsonNode caseWhen(CaseWhen c) {
          ObjectNode n = NODES.objectNode();
          n.put("op", "case");
          typed(n, c);
          if (c.operand() != null) {
            n.set("operand", toJson(c.operand()));
          }
          ArrayNode branches = n.putArray("branches");
          for (CaseWhen.Branch b : c.branches()) {
            ObjectNode branch = branches.addObject();
            branch.set("when", toJson(b.when()));
            branch.set("then", toJson(b.then()));
          }
          if (c.elseValue() != null) {
            n.set("else", toJson(c.elseValue()));
          }
          return n;
        }

        @Override
        public JsonNode cast(Cast c) {
          return op("cast", c, c.arg());
        }

        @Override
        public JsonNode call(Call c) {
          ObjectNode n = NODES.objectNode();
          n.put("op", "call");
          n.put("function", c.function().jsonName());
          typed(n, c);
          ArrayNode args = n.putArray("args");
          c.args().forEach(a -> args.add(toJson(a)));
          return n;
        }
      };

  private static ObjectNode typed(ObjectNode n, TypedExpr e) {
    n.put("type", e.type().sqlName());
    return n;
  }

  private static ObjectNode op(String name, TypedExpr e, TypedExpr... args) {
    ObjectNode n = NODES.objectNode();
    n.put("op", name);
    typed(n, e);
    ArrayNode a = n.putArray("args");
    for (TypedExpr arg : args) {
      a.add(toJson(arg));
    }
    return n;
  }

  private static JsonNode literalValue(Literal l) {
    Object v = l.value();
    if (v == null) {
      return NODES.nullNode();
    } else if (l.type() == DataType.TIMESTAMP) {
      return NODES.textNode(Durations.formatInstant((Long) v));
    } else if (v instanceof Long x) {
      return NODES.numberNode(x);
    } else if (v instanceof Double d) {
      return Double.isNaN(d) || Double.isInfinite(d) ? NODES.textNode(d.toString()) : NODES.numberNode(d);
    } else if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    return NODES.textNode((String) v);
  }

  // ------------------------------------------------------------------ reading

  /** Reads the form {@link #toJson} writes; throws IllegalArgumentException on anything else. */
  public static TypedExpr fromJson(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw invalid("expected an object, got " + node);
    }
    DataType type = type(node);
    if (node.has("literal")) {
      return new Literal(readLiteral(node.get("literal"), type), type);
    } else if (node.has("column")) {
      return new ColumnRef(text(node, "column"), type);
    }
    String op = text(node, "op");
    TypedExpr result;
    switch (op) {
      case "case":
        result = readCase(node, type);
        break;
      case "call":
        String name = text(node, "function");
        BuiltinFunction f = FUNCTIONS.get(name);
        if (f == null) {
          throw invalid("unknown function '" + name + "'");
        }
        result = new Call(f, args(node), type);
        break;
      case "cast":
        result = new Cast(arg(node, 0, 1), type);
        break;
      case "in":
      case "not_in":
        List<TypedExpr> all = args(node);
        if (all.size() < 2) {
          throw invalid(op + " needs a value and a list");
        }
        result = new InList(all.get(0), all.subList(1, all.size()), op.equals("not_in"));
        break;
      case "between":
      case "not_between":
        result = new Between(arg(node, 0, 3), arg(node, 1, 3), arg(node, 2, 3), op.equals("not_between"));
        break;
      case "like":
      case "not_like":
        result = new Like(arg(node, 0, 2), arg(node, 1, 2), op.equals("not_like"));
        break;
      default:
        if (UNARY.containsKey(op)) {
          result = new Unary(UNARY.get(op), arg(node, 0, 1));
        } else if (BINARY.containsKey(op)) {
          result = new Binary(BINARY.get(op), arg(node, 0, 2), arg(node, 1, 2), type);
        } else {
          throw invalid("unknown op '" + op + "'");
        }
    }
    if (!result.type().equals(type)) {
      throw invalid(op + " has type " + result.type() + ", not " + type);
    }
    return result;
  }

  private static TypedExpr readCase(JsonNode node, DataType type) {
    TypedExpr operand = node.hasNonNull("operand") ? fromJson(node.get("operand")) : null;
    JsonNode branchNodes = node.get("branches");
    if (branchNodes == null || !branchNodes.isArray()) {
      throw invalid("case needs 'branches'");
    }
    List<CaseWhen.Branch> branches = new ArrayList<>();
    for (JsonNode b : branchNodes) {
      branches.add(new CaseWhen.Branch(fromJson(b.get("when")), fromJson(b.get("then"))));
    }
    TypedExpr orElse = node.hasNonNull("else") ? fromJson(node.get("else")) : null;
    return new CaseWhen(operand, branches, orElse, type);
  }

  private static List<TypedExpr> args(JsonNode node) {
    JsonNode args = node.get("args");
    if (args == null || !args.isArray()) {
      throw invalid("'" + node.path("op").asText() + "' needs 'args'");
    }
    List<TypedExpr> out = new ArrayList<>();
    args.forEach(a -> out.add(fromJson(a)));
    return out;
  }

  private static TypedExpr arg(JsonNode node, int index, int count) {
    List<TypedExpr> args = args(node);
    if (args.size() != count) {
      throw invalid("'" + node.path("op").asText() + "' needs " + count + " args, got " + args.size());
    }
    return args.get(index);
  }

  private static DataType type(JsonNode node) {
    DataType t = DataType.parseOrNull(text(node, "type"));
    if (t == null) {
      throw invalid("unknown type '" + node.get("type").asText() + "'");
    }
    return t;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw invalid("expected text field '" + field + "' in " + node);
    }
    return v.asText();
  }

  private static Object readLiteral(JsonNode v, DataType type) {
    if (v.isNull()) {
      return null;
    }
    if (type == DataType.LONG && v.canConvertToExactIntegral() && v.canConvertToLong()) {
      return v.asLong();
    } else if (type == DataType.DOUBLE && v.isNumber()) {
      return v.doubleValue();
    } else if (type == DataType.DOUBLE && v.isTextual()) {
      switch (v.asText()) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    } else if (type == DataType.STRING && v.isTextual()) {
      return v.asText();
    } else if (type == DataType.BOOLEAN && v.isBoolean()) {
      return v.asBoolean();
    } else if (type == DataType.TIMESTAMP && v.isTextual()) {
      return Durations.parseInstant(v.asText());
    } else if (type == DataType.TIMESTAMP && v.isIntegralNumber()) {
      return v.asLong();
    }
    throw invalid("literal " + v + " is not a " + type);
  }

  private static IllegalArgumentException invalid(String why) {
    return new IllegalArgumentException("Cannot read expression: " + why);
  }
}
