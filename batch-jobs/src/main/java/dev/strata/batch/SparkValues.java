package dev.strata.batch;

import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Schema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Strata types and values on the Spark side. Internally (between the stages of a job) a
 * timestamp is a bigint of microseconds, exactly the value feature-dsl works with, so rows go to
 * and from {@code Object[]} without conversion; only output tables carry Spark timestamps.
 */
final class SparkValues {
  private SparkValues() {}

  /** The internal Spark type of a Strata type (timestamps as microseconds). */
  static org.apache.spark.sql.types.DataType internalType(DataType type) {
    if (type instanceof DataType.ListType l) {
      return DataTypes.createArrayType(internalType(l.element()), true);
    }
    if (type instanceof DataType.MapType m) {
      return DataTypes.createMapType(internalType(m.key()), internalType(m.value()), true);
    }
    return type == DataType.TIMESTAMP ? DataTypes.LongType : outputType(type);
  }

  /** The Spark type of a Strata type in output tables. */
  static org.apache.spark.sql.types.DataType outputType(DataType type) {
    if (type instanceof DataType.ListType l) {
      return DataTypes.createArrayType(outputType(l.element()), true);
    }
    if (type instanceof DataType.MapType m) {
      return DataTypes.createMapType(outputType(m.key()), outputType(m.value()), true);
    }
    return switch ((DataType.Primitive) type) {
      case BOOLEAN -> DataTypes.BooleanType;
      case LONG -> DataTypes.LongType;
      case DOUBLE -> DataTypes.DoubleType;
      case STRING -> DataTypes.StringType;
      case TIMESTAMP -> DataTypes.TimestampType;
    };
  }

  static StructType internalSchema(Schema schema) {
    List<StructField> fields = new ArrayList<>();
    for (var f : schema.fields()) {
      fields.add(DataTypes.createStructField(f.name(), internalType(f.type()), true));
    }
    return DataTypes.createStructType(fields);
  }

  /** A feature-dsl value as a Spark output value (Instant for timestamps; java8 time API on). */
  static Object toOutput(DataType type, Object value) {
    if (value == null) {
      return null;
    }
    if (type == DataType.TIMESTAMP) {
      long micros = (Long) value;
      return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }
    // Row encoders take Scala collections for array and map columns.
    if (type instanceof DataType.ListType l) {
      List<Object> out = new ArrayList<>();
      for (Object o : (List<?>) value) {
        out.add(toOutput(l.element(), o));
      }
      return scala.jdk.javaapi.CollectionConverters.asScala(out).toList();
    }
    if (type instanceof DataType.MapType m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      ((Map<?, ?>) value).forEach((k, v) -> out.put(toOutput(m.key(), k), toOutput(m.value(), v)));
      return scala.jdk.javaapi.CollectionConverters.asScala(out);
    }
    return value;
  }

  /** A feature-dsl value as an internal Spark value (timestamps stay microseconds). */
  static Object toInternal(DataType type, Object value) {
    if (value == null) {
      return null;
    }
    if (type instanceof DataType.ListType l) {
      List<Object> out = new ArrayList<>();
      for (Object o : (List<?>) value) {
        out.add(toInternal(l.element(), o));
      }
      return scala.jdk.javaapi.CollectionConverters.asScala(out).toList();
    }
    if (type instanceof DataType.MapType m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      ((Map<?, ?>) value).forEach((k, v) -> out.put(toInternal(m.key(), k), toInternal(m.value(), v)));
      return scala.jdk.javaapi.CollectionConverters.asScala(out);
    }
    return value;
  }

  /** An internal Spark value (as a Row holds it) back as a feature-dsl value. */
  static Object fromInternal(DataType type, Object value) {
    if (value == null) {
      return null;
    }
    if (type instanceof DataType.ListType l) {
      List<Object> out = new ArrayList<>();
      for (Object o : scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<?>) value)) {
        out.add(fromInternal(l.element(), o));
      }
      return out;
    }
    if (type instanceof DataType.MapType m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Map<?, ?>) value)
          .forEach((k, v) -> out.put(fromInternal(m.key(), k), fromInternal(m.value(), v)));
      return out;
    }
    return value;
  }

  static long micros(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
  }
}
