package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;

/**
 * Sample variance and standard deviation (divisor n − 1) over bigint or double.
 *
 * <p>The IR is the exact n, Σx and Σx²; finish computes (n·Σx² − (Σx)²) / (n·(n − 1)) exactly
 * and rounds once (stddev: the correctly rounded square root of that exact value), so there is
 * no cancellation error and no dependence on order. NULL when n &lt; 2; NaN when any input is
 * NaN or infinite.
 *
 * <p>Encoding: version, varint n, exact Σx, exact Σx² ({@link ExactSum#write}).
 */
final class VarianceAggregator extends BaseAggregator<VarianceAggregator.Moments> {

  static final class Moments {
    private long count;
    private final ExactSum sum;
    private final ExactSum sumOfSquares;

    Moments(long count, ExactSum sum, ExactSum sumOfSquares) {
      this.count = count;
      this.sum = sum;
      this.sumOfSquares = sumOfSquares;
    }

    long count() {
      return count;
    }
  }

  private final boolean doubleInput;
  private final boolean stddev;

  VarianceAggregator(AggregationFunction function, DataType inputType) {
    super(function, inputType, DataType.DOUBLE);
    this.doubleInput = inputType == DataType.DOUBLE;
    this.stddev = function == AggregationFunction.STDDEV;
  }

  @Override
  public Moments create() {
    return new Moments(0, new ExactSum(), new ExactSum());
  }

  @Override
  public Moments update(Moments ir, Object value, long eventMicros) {
    if (value == null) {
      return ir;
    }
    if (doubleInput) {
      double d = Numbers.asDouble(value, function(), inputType());
      ir.sum.addDouble(d);
      ir.sumOfSquares.addSquareOfDouble(d);
    } else {
      long v = Numbers.asLong(value, function(), inputType());
      ir.sum.addLong(v);
      ir.sumOfSquares.addSquareOfLong(v);
    }
    ir.count += 1;
    return ir;
  }

  @Override
  public Moments merge(Moments a, Moments b) {
    a.count += b.count;
    a.sum.add(b.sum);
    a.sumOfSquares.add(b.sumOfSquares);
    return a;
  }

  @Override
  public Object finish(Moments ir) {
    if (ir.count < 2) {
      return null;
    }
    if (ir.sum.flags() != 0) {
      return Double.NaN;
    }
    double fast = finish128(ir);
    return Double.isNaN(fast) ? finishBig(ir) : fast;
  }

  /** The finish in BigInteger arithmetic, for any n and any sums (count ≥ 2, no flags). */
  double finishBig(Moments ir) {
    ExactSum.Dyadic s1 = ir.sum.value();
    ExactSum.Dyadic s2 = ir.sumOfSquares.value();
    BigInteger n = BigInteger.valueOf(ir.count);
    // n·Σx² − (Σx)² over a common power of two
    BigInteger a = n.multiply(s2.mantissa());
    long ea = s2.exponent();
    BigInteger b = s1.mantissa().multiply(s1.mantissa());
    long eb = 2L * s1.exponent();
    long e = Math.min(ea, eb);
    BigInteger numerator = a.shiftLeft((int) (ea - e)).subtract(b.shiftLeft((int) (eb - e)));
    BigInteger denominator = n.multiply(n.subtract(BigInteger.ONE));
    if (numerator.signum() <= 0) {
      return 0.0; // all values equal (the exact numerator is never negative)
    }
    return stddev
        ? ExactMath.sqrtToDouble(numerator, e, denominator)
        : ExactMath.divideToDouble(numerator, e, denominator);
  }

  /**
   * The same value in fixed-width arithmetic when Σx and Σx² are 128-bit integers times powers
   * of two and n < 2^31 (so n·(n − 1) < 2^62): the common case, and the online read's. NaN when
   * this path declines; the BigInteger path then answers.
   */
  double finish128(Moments ir) {
    if (ir.count >= 1L << 31) {
      return Double.NaN;
    }
    long[] s1 = ir.sum.exact128();
    long[] s2 = ir.sumOfSquares.exact128();
    if (s1 == null || s2 == null || s2[0] < 0) {
      return Double.NaN;
    }
    long[] a = UInt256.multiply(UInt256.abs128(s2[0], s2[1]), ir.count);
    long[] b = UInt256.abs128(s1[0], s1[1]);
    b = UInt256.multiply(b, b);
    long ea = s2[2];
    long eb = 2 * s1[2];
    long e = Math.min(ea, eb);
    a = UInt256.shiftLeft(a, ea - e);
    b = b == null ? null : UInt256.shiftLeft(b, eb - e);
    if (a == null || b == null) {
      return Double.NaN;
    }
    if (UInt256.compare(a, b) <= 0) {
      return 0.0; // all values equal (the exact numerator is never negative)
    }
    long[] numerator = UInt256.subtract(a, b);
    long denominator = ir.count * (ir.count - 1);
    if (stddev) {
      return ExactMath.sqrtToDouble256(numerator, e, denominator);
    }
    if (UInt256.bitLength(numerator) > 126) {
      return Double.NaN;
    }
    return ExactMath.divideToDouble128(numerator[1], numerator[0], e, denominator);
  }

  @Override
  public Moments copy(Moments ir) {
    return new Moments(ir.count, ir.sum.copy(), ir.sumOfSquares.copy());
  }

  @Override
  void encodeBody(Moments ir, DataOutput out) throws IOException {
    Varints.writeUnsignedLong(out, ir.count);
    ir.sum.write(out);
    ir.sumOfSquares.write(out);
  }

  @Override
  Moments mergeBody(Moments into, ByteCursor in) throws IOException {
    into.count += Varints.readUnsignedLong(in);
    into.sum.addEncoded(in);
    into.sumOfSquares.addEncoded(in);
    return into;
  }

  @Override
  Moments decodeBody(DataInput in) throws IOException {
    long count = Varints.readUnsignedLong(in);
    ExactSum sum = ExactSum.read(in);
    return new Moments(count, sum, ExactSum.read(in));
  }
}
