package skalig

import (
	"encoding/json"
	"testing"
)

func TestKronor(t *testing.T) {
	if got, want := Kronor(7200), Money(720000); got != want {
		t.Errorf("Kronor(7200)=%d öre, want %d", got, want)
	}
	if got, want := Kronor(-3), Money(-300); got != want {
		t.Errorf("Kronor(-3)=%d öre, want %d", got, want)
	}
}

func TestMoneyRoundKronor(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   Money
		want Money
	}{
		{"Zero", 0, 0},
		{"Whole", 720000, 720000},
		{"OneOre", 1, 0},
		{"Below", 12349, 12300},
		{"HalfUp", 12350, 12400},
		{"Above", 12351, 12400},
		{"NinetyNine", 99, 100},
		{"FortyNine", 49, 0},
		{"Fifty", 50, 100},
		// Half up is towards positive infinity on both sides of zero.
		{"NegWhole", -300, -300},
		{"NegOneOre", -1, 0},
		{"NegFortyNine", -49, 0},
		{"NegHalf", -50, 0},
		{"NegFiftyOne", -51, -100},
		{"NegOneFifty", -150, -100},
		{"NegOneFiftyOne", -151, -200},
		{"NegBig", -123450, -123400},
		{"Max", MaxMoney, MaxMoney},
		{"MaxMinusOre", MaxMoney - 1, MaxMoney},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.RoundKronor(); got != tt.want {
				t.Errorf("Money(%d).RoundKronor()=%d, want %d", tt.in, got, tt.want)
			}
		})
	}
	t.Run("Idempotent", func(t *testing.T) {
		for m := Money(-1000); m <= 1000; m++ {
			r := m.RoundKronor()
			if r%100 != 0 {
				t.Fatalf("Money(%d).RoundKronor()=%d, not whole kronor", m, r)
			}
			if r.RoundKronor() != r {
				t.Fatalf("RoundKronor not idempotent at %d", m)
			}
			if d := r - m; d < -49 || d > 50 {
				t.Fatalf("Money(%d).RoundKronor()=%d, moved %d öre", m, r, d)
			}
		}
	})
}

func TestMoneyMulDivRound(t *testing.T) {
	for _, tt := range []struct {
		name     string
		m        Money
		num, den int64
		want     Money
	}{
		{"Identity", 12345, 1, 1, 12345},
		{"Whole", 100, 3, 1, 300},
		{"Quarter", 900000, 25, 100, 225000},
		{"QuarterHalfUp", 2, 25, 100, 1},        // 0.5 öre → 1
		{"QuarterBelowHalf", 1, 25, 100, 0},     // 0.25 öre → 0
		{"QuarterAboveHalf", 3, 25, 100, 1},     // 0.75 öre → 1
		{"ThirdBelowHalf", 100, 1, 3, 33},       // 33.33
		{"TwoThirds", 100, 2, 3, 67},            // 66.67
		{"DaysPresent", 272000, 14, 29, 131310}, // 131310.34
		{"ZeroNum", 272000, 0, 29, 0},
		{"Negative", -1, 1, 2, -0},          // −0.5 rounds up to 0
		{"NegativeBelowHalf", -3, 1, 2, -1}, // −1.5 rounds up to −1
		{"NegativeThird", -100, 1, 3, -33},  // −33.33
		{"NegativeTwoThirds", -100, 2, 3, -67},
		{"KronorShare", 272000, 14, 2900, 1313}, // whole kronor in one step
		{"MaxMoneyShare", MaxMoney, 99, 99 * 100, MaxMoney / 100},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.MulDivRound(tt.num, tt.den); got != tt.want {
				t.Errorf("Money(%d).MulDivRound(%d, %d)=%d, want %d", tt.m, tt.num, tt.den, got, tt.want)
			}
		})
	}
}

func TestMoneyString(t *testing.T) {
	for _, tt := range []struct {
		in   Money
		want string
	}{
		{0, "0"},
		{1, "0.01"},
		{10, "0.10"},
		{50, "0.50"},
		{100, "1"},
		{720000, "7200"},
		{35050, "350.50"},
		{35005, "350.05"},
		{123456789, "1234567.89"},
		{-1205, "-12.05"},
		{-50, "-0.50"},
		{-300, "-3"},
		{MaxMoney, "100000000"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Errorf("Money(%d).String()=%q, want %q", tt.in, got, tt.want)
			}
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatalf("json.Marshal(Money(%d)): %v", tt.in, err)
			}
			if string(b) != tt.want {
				t.Errorf("json=%s, want %s", b, tt.want)
			}
			back, ok := ParseMoney(tt.want)
			if !ok || back != tt.in {
				t.Errorf("ParseMoney(%q)=%d, %v, want %d (round trip)", tt.want, back, ok, tt.in)
			}
		})
	}
}

func TestMoneySwedish(t *testing.T) {
	const nb = "\u00a0"
	for _, tt := range []struct {
		name string
		in   Money
		want string
	}{
		{"Zero", 0, "0" + nb + "kr"},
		{"Small", 9900, "99" + nb + "kr"},
		{"Hundreds", 99900, "999" + nb + "kr"},
		{"Thousand", 100000, "1" + nb + "000" + nb + "kr"},
		{"Housing", 720000, "7" + nb + "200" + nb + "kr"},
		{"Ore", 35050, "350,50" + nb + "kr"},
		{"OreOnly", 5, "0,05" + nb + "kr"},
		{"Million", 123456789, "1" + nb + "234" + nb + "567,89" + nb + "kr"},
		{"TenThousand", 5880000, "58" + nb + "800" + nb + "kr"},
		{"HundredThousand", 12345600, "123" + nb + "456" + nb + "kr"},
		{"Negative", -1205, "−12,05" + nb + "kr"},
		{"NegativeThousands", -225000, "−2" + nb + "250" + nb + "kr"},
		{"Max", MaxMoney, "100" + nb + "000" + nb + "000" + nb + "kr"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Swedish(); got != tt.want {
				t.Errorf("Money(%d).Swedish()=%q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseMoney(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct {
			in   string
			want Money
		}{
			{"0", 0},
			{"0.5", 50},
			{"0.05", 5},
			{"0.00", 0},
			{"7200", 720000},
			{"350.5", 35050},
			{"350.50", 35050},
			{"350.05", 35005},
			{"-12.05", -1205},
			{"-0", 0},
			{"100000000", MaxMoney},
			{"-100000000", -MaxMoney},
		} {
			got, ok := ParseMoney(tt.in)
			if !ok || got != tt.want {
				t.Errorf("ParseMoney(%q)=%d, %v, want %d, true", tt.in, got, ok, tt.want)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{
			"", "-", "01", "00", "-01", "1.", ".5", "-.5", "1.234", "1.2.3",
			"1e3", "1E3", "+1", "1,5", "1 000", " 1", "1 ", "--1", "1-",
			"0x10", "½", "１", "1.-5", "1.+5", "NaN", "Inf", "abc",
			"100000000.01",            // one öre above MaxMoney
			"999999999999",            // twelve digits: in range for int64, out of range for money
			"9999999999999",           // thirteen digits
			"99999999999999999999999", // would overflow int64
			"-100000000.01",
		} {
			if got, ok := ParseMoney(in); ok {
				t.Errorf("ParseMoney(%q)=%d, true, want false", in, got)
			}
		}
	})
}
