import { isDecimal, parseDecimal, type Decimal } from './decimal';
import { child, children, textAt, type UblDom, type XmlElement } from './ubl-dom';

/*
 * EN 16931 (PEPPOL-EN16931-R120): line net = quantity × (price / base quantity) + charges −
 * allowances. Peppol BIS 2 and e-FFF v3 senders often give a base quantity that is only a label
 * (quantity 2, price 200, base quantity 2, net 400): carried over as it is, the converted line no
 * longer adds up. Where the line adds up with a base quantity of 1 and not with the one given, the
 * price was per unit: the base quantity goes. A line that adds up either way, or neither way (the
 * sender's own error, left for the target to see), is not touched.
 */
export function reconcileBaseQuantities(ubl: UblDom): void {
  const lineName = ubl.kind === 'invoice' ? 'cac:InvoiceLine' : 'cac:CreditNoteLine';
  const quantityName = ubl.kind === 'invoice' ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity';
  for (const line of children(ubl.root, lineName)) {
    const price = child(line, 'cac:Price');
    const base = price && child(price, 'cbc:BaseQuantity');
    if (!price || !base) continue;
    const values = [
      textAt(line, quantityName),
      textAt(price, 'cbc:PriceAmount'),
      textAt(line, 'cbc:LineExtensionAmount'),
      base.textContent?.trim(),
    ];
    if (!values.every((value): value is string => value !== undefined && isDecimal(value))) continue;
    const [quantity, unitPrice, net, baseQuantity] = values.map(parseDecimal) as [
      Decimal,
      Decimal,
      Decimal,
      Decimal,
    ];
    const adjustment = lineAdjustment(line);
    if (adjustment === undefined || baseQuantity.units === 0n) continue;
    if (addsUp(quantity, unitPrice, baseQuantity, adjustment, net)) continue;
    if (addsUp(quantity, unitPrice, { units: 1n, scale: 0 }, adjustment, net)) price.removeChild(base);
  }
}

/** Line charges minus allowances, or undefined when an amount is not a number. */
function lineAdjustment(line: XmlElement): Decimal | undefined {
  let total: Decimal = { units: 0n, scale: 0 };
  for (const charge of children(line, 'cac:AllowanceCharge')) {
    const amount = textAt(charge, 'cbc:Amount');
    if (amount === undefined || !isDecimal(amount)) return undefined;
    const value = parseDecimal(amount);
    const isCharge = textAt(charge, 'cbc:ChargeIndicator')?.toLowerCase() === 'true';
    total = add(total, isCharge ? value : { units: -value.units, scale: value.scale });
  }
  return total;
}

function scaled(value: Decimal, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: scaled(a, scale) + scaled(b, scale), scale };
}

/** |net − (quantity × price / base + adjustment)| ≤ half a cent, without dividing. */
function addsUp(
  quantity: Decimal,
  price: Decimal,
  base: Decimal,
  adjustment: Decimal,
  net: Decimal,
): boolean {
  const product = { units: quantity.units * price.units, scale: quantity.scale + price.scale };
  const scale = Math.max(
    product.scale,
    net.scale + base.scale,
    adjustment.scale + base.scale,
    3 + base.scale,
  );
  const times = (a: Decimal, b: Decimal) => ({ units: a.units * b.units, scale: a.scale + b.scale });
  const left = scaled(times(net, base), scale);
  const right = scaled(product, scale) + scaled(times(adjustment, base), scale);
  const halfCentTimesBase = scaled(times({ units: 5n, scale: 3 }, base), scale);
  const difference = left > right ? left - right : right - left;
  const tolerance = halfCentTimesBase < 0n ? -halfCentTimesBase : halfCentTimesBase;
  return difference <= tolerance;
}
