#!/usr/bin/env python3
"""Generate a synthetic casefile case of any size, deterministically from a seed.

    .venv/bin/python bench/generate.py --items 2000 --accused 20 --seed 1 --out DIR

writes

    DIR/cases/<case-id>/case.yaml                      the case, accused, charges (with elements), events
    DIR/cases/<case-id>/evidence/<type>s/<item-id>.md  one item per file, all five item types
    DIR/exhibits/<case-id>/pdf/*.pdf                   small multi-page PDFs (reportlab, invariant)
    DIR/exhibits/<case-id>/images/*.png|*.jpg          scan-like PNGs and photo-like JPEGs (Pillow)

Everything is fictitious: the persons are random combinations of real Persian given names and
surnames, the text is legal-English filler made from seeded word lists. The same arguments
give byte-identical files. Only DIR/cases/<case-id> and DIR/exhibits/<case-id> are replaced;
nothing else under DIR is touched. The result passes `casefile check --root DIR`.

The module is also imported by bench/run.py (`generate(...)`).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import shutil
import sys
import textwrap
from pathlib import Path

# ------------------------------------------------------------------ word lists

# (Latin transliteration, Persian script). Real, common names; the combinations are fictitious.
GIVEN = [
    ("Mohammad", "محمد"), ("Ali", "علی"), ("Hossein", "حسین"), ("Reza", "رضا"), ("Mehdi", "مهدی"),
    ("Hassan", "حسن"), ("Morteza", "مرتضی"), ("Mostafa", "مصطفی"), ("Javad", "جواد"), ("Majid", "مجید"),
    ("Saeed", "سعید"), ("Mahmoud", "محمود"), ("Ebrahim", "ابراهیم"), ("Akbar", "اکبر"), ("Rahim", "رحیم"),
    ("Kazem", "کاظم"), ("Naser", "ناصر"), ("Behrouz", "بهروز"), ("Farhad", "فرهاد"), ("Dariush", "داریوش"),
    ("Mehrdad", "مهرداد"), ("Kamran", "کامران"), ("Parviz", "پرویز"), ("Houshang", "هوشنگ"),
    ("Jamshid", "جمشید"), ("Abbas", "عباس"), ("Gholamreza", "غلامرضا"), ("Esmail", "اسماعیل"),
    ("Yousef", "یوسف"), ("Abdollah", "عبدالله"), ("Rouhollah", "روح‌الله"), ("Fatemeh", "فاطمه"),
    ("Zahra", "زهرا"), ("Maryam", "مریم"), ("Sara", "سارا"), ("Leila", "لیلا"), ("Narges", "نرگس"),
    ("Shirin", "شیرین"), ("Parvin", "پروین"), ("Monireh", "منیره"), ("Ashraf", "اشرف"),
    ("Nasrin", "نسرین"), ("Shahla", "شهلا"), ("Fariba", "فریبا"), ("Mahin", "مهین"), ("Zhaleh", "ژاله"),
]
SURNAMES = [
    ("Ahmadi", "احمدی"), ("Hosseini", "حسینی"), ("Mohammadi", "محمدی"), ("Rezaei", "رضایی"),
    ("Karimi", "کریمی"), ("Mousavi", "موسوی"), ("Jafari", "جعفری"), ("Ghasemi", "قاسمی"),
    ("Rahimi", "رحیمی"), ("Sadeghi", "صادقی"), ("Kazemi", "کاظمی"), ("Nouri", "نوری"),
    ("Tehrani", "تهرانی"), ("Shirazi", "شیرازی"), ("Esfahani", "اصفهانی"), ("Tabrizi", "تبریزی"),
    ("Yazdi", "یزدی"), ("Moradi", "مرادی"), ("Abbasi", "عباسی"), ("Najafi", "نجفی"), ("Zarei", "زارعی"),
    ("Bahrami", "بهرامی"), ("Farahani", "فراهانی"), ("Kermani", "کرمانی"), ("Akbari", "اکبری"),
    ("Soltani", "سلطانی"), ("Taheri", "طاهری"), ("Heydari", "حیدری"), ("Amini", "امینی"),
    ("Maleki", "ملکی"), ("Ghorbani", "قربانی"), ("Hashemi", "هاشمی"), ("Mirzaei", "میرزایی"),
    ("Sharifi", "شریفی"), ("Khorasani", "خراسانی"), ("Golpayegani", "گلپایگانی"),
    ("Pourmohammadi", "پورمحمدی"), ("Eshraghi", "اشراقی"), ("Nayeri", "نیری"), ("Zamani", "زمانی"),
]
# Surnames used only for protected witnesses and redacted names: never in filler text, so a name
# the public edition must not show appears only where the case marks it (casefile's leak check
# fails the build otherwise, by design).
SENSITIVE_SURNAMES = [
    ("Daneshvar", "دانشور"), ("Sepehri", "سپهری"), ("Mashayekhi", "مشایخی"), ("Ghaffari", "غفاری"),
    ("Rostami", "رستمی"), ("Jahanbani", "جهانبانی"), ("Bakhtiari", "بختیاری"), ("Sohrabi", "سهرابی"),
    ("Tavakoli", "توکلی"), ("Parsa", "پارسا"), ("Vahidi", "وحیدی"), ("Saberi", "صابری"),
]
PLACES = [
    ("Evin Prison", "زندان اوین"), ("Gohardasht Prison", "زندان گوهردشت"),
    ("Ghezel Hesar Prison", "زندان قزل‌حصار"), ("Vakilabad Prison", "زندان وکیل‌آباد"),
    ("Adelabad Prison", "زندان عادل‌آباد"), ("Dizelabad Prison", "زندان دیزل‌آباد"),
    ("Khavaran cemetery", "گورستان خاوران"), ("Tehran", "تهران"), ("Mashhad", "مشهد"), ("Tabriz", "تبریز"),
    ("Shiraz", "شیراز"), ("Isfahan", "اصفهان"), ("Ahvaz", "اهواز"), ("Kermanshah", "کرمانشاه"),
    ("Rasht", "رشت"), ("Qom", "قم"), ("Dezful", "دزفول"), ("Karaj", "کرج"), ("Urmia", "ارومیه"),
    ("Hamadan", "همدان"), ("Zanjan", "زنجان"), ("Sanandaj", "سنندج"), ("Babol", "بابل"),
]
ORGANISATIONS = [
    "Office of the Revolutionary Prosecutor", "Revolutionary Court of the province",
    "Prisons Organisation", "Ministry of Intelligence (as named in the record)",
    "Committee for the review of prisoners’ cases", "Provincial Security Council",
    "Office of the Prison Governor", "Bureau of Judicial Inspection", "Families’ Association (unofficial)",
    "Association of Former Prisoners", "Documentation Centre for Prison Testimonies",
    "Committee of Prisoners’ Relatives", "Office of the Supervisor of Detention Centres",
]
PUBLISHERS = ["Documentation Centre for Prison Testimonies", "Archive of Oral Histories",
              "Association of Former Prisoners", "Bulletin of the Families’ Association",
              "Review of Comparative Criminal Law", "Daily Herald (exile edition)", "Radio Pasargad"]
CHARGES = [
    ("murder-cah", "Murder as a crime against humanity", "Rome Statute art. 7(1)(a)",
     [("killing", "The perpetrator killed one or more persons"),
      ("attack", "The conduct was committed as part of a widespread or systematic attack"),
      ("knowledge", "The perpetrator knew the conduct was part of the attack")]),
    ("torture-cah", "Torture as a crime against humanity", "Rome Statute art. 7(1)(f)",
     [("severe-pain", "Severe physical or mental pain or suffering was inflicted"),
      ("custody", "The persons were in the custody or under the control of the perpetrator")]),
    ("imprisonment-cah", "Imprisonment or other severe deprivation of physical liberty",
     "Rome Statute art. 7(1)(e)",
     [("deprivation", "Persons were imprisoned or severely deprived of physical liberty"),
      ("gravity", "The gravity of the conduct violated fundamental rules of international law")]),
    ("persecution-cah", "Persecution on political grounds", "Rome Statute art. 7(1)(h)",
     [("political-grounds", "The targeting was based on political grounds"),
      ("deprivation", "Fundamental rights were severely deprived contrary to international law"),
      ("connection", "The conduct was connected with another act or crime")]),
    ("disappearance-cah", "Enforced disappearance of persons", "Rome Statute art. 7(1)(i)",
     [("refusal", "Information on the fate or whereabouts of the persons was refused"),
      ("intent", "The intent was to remove the persons from the protection of the law")]),
    ("inhumane-acts-cah", "Other inhumane acts", "Rome Statute art. 7(1)(k)", []),
]
ROLE_TITLES = ["member of the prison committee", "deputy prosecutor", "prison governor", "chief interrogator",
               "head of the security section", "religious judge", "representative of the Ministry",
               "deputy governor of the prison", "head of the wards", "member of the review committee"]
STATUSES = ["at large", "deceased", "convicted", "in office", "whereabouts unknown", "under investigation",
            "retired; living abroad"]

SUBJ = ["The witness", "The author", "The applicant", "The tribunal", "The commission", "The prosecutor",
        "The report", "The court record", "The prison register", "A former guard", "A fellow prisoner",
        "The family", "The lawyer", "The investigator", "The translator", "The survivor", "The archive copy"]
REPORTED = ["stated", "recalled", "testified", "recorded", "confirmed", "maintained", "alleged", "observed",
            "noted", "reported", "explained", "added", "emphasised", "indicated", "asserted"]
NP = ["the committee", "the prisoners in ward {n}", "the guards", "the interrogators", "the hearing",
      "the list of names", "the transfer", "the order", "the sentence", "the families", "the detainees",
      "the officials of the prosecutor’s office", "the decree", "the proceedings", "the visits",
      "the burial", "the records of the prison", "the questionnaire", "the cells of section {n}",
      "the convoy", "the judgment", "the notification", "the ward supervisor", "the corridor"]
VP = ["was convened without notice", "lasted only a few minutes", "was signed by three members",
      "had been prepared in advance", "was moved at night", "was blindfolded",
      "was questioned about political affiliation", "was not informed of the charges",
      "was carried out in secret", "was suspended for several weeks", "was refused access to counsel",
      "was never made public", "was told to wait in the corridor", "received no written judgment",
      "was referred to in later correspondence", "was handed a bag of belongings",
      "was announced over the loudspeaker", "was separated according to the answers given",
      "was recorded in a ledger kept by the guards", "was not disclosed to the families",
      "was interrupted without explanation", "was repeated in the following days"]
PP = ["in the summer of 1988", "during the following weeks", "at {place}", "before the ceasefire",
      "after the visits were cancelled", "in the presence of {person}", "under the authority of the {org}",
      "without any record being kept", "on the orders of the committee", "in the main hall of the prison",
      "pursuant to article {n} of the prison regulations", "within a matter of days", "on {date}",
      "according to the register", "as far as the witness could tell"]
ADV = ["In particular", "Moreover", "In addition", "However", "At the time", "Subsequently", "Thereafter",
       "By contrast", "In the same period", "As a result", "Notwithstanding this", "For the avoidance of doubt",
       "On the evidence available", "Prima facie", "In the submission of the applicant"]
LEGAL = ["within the meaning of article 7(1) of the Rome Statute", "mutatis mutandis",
         "as a matter of customary international law", "in breach of the right to a fair trial",
         "contrary to the prohibition of torture", "without any semblance of due process",
         "in the absence of a reasoned judgment", "as part of a systematic attack on a civilian population"]
FIRST = ["We were taken to {place} and nobody told us why.",
         "The guards read out the names and told us to put on our blindfolds.",
         "I never saw my cellmate again after that morning.",
         "They asked me only one question: whether I still held my beliefs.",
         "We were made to sit facing the wall in the corridor for hours.",
         "My family came to the gate every week, and every week they were sent away.",
         "The man who questioned me called himself {person}.",
         "In {month} the visits stopped and the television was taken away.",
         "When I came back to the ward, half of the beds were empty.",
         "I was told to sign a paper I was not allowed to read."]
TITLE_T = {
    "testimony": ["Testimony of {person} on {topic}", "{person}: account of {topic}",
                  "Statement of witness {person} concerning {topic}"],
    "decree": ["Order concerning {topic}", "Decree of the {org} on {topic}", "Instruction on {topic}"],
    "statement": ["Remarks of {person} on {topic}", "Public statement of {person} about {topic}",
                  "Interview with {person} on {topic}"],
    "document": ["Letter concerning {topic}", "Internal memorandum on {topic}", "Minutes of a meeting on {topic}",
                 "List of prisoners relating to {topic}"],
    "media": ["Broadcast on {topic}", "Online post by {person} about {topic}", "Article on {topic}"],
}
TOPICS = ["the transfers to {place}", "the hearings in {place}", "the executions in {place}",
          "the suspension of family visits", "the burials at Khavaran", "the questionnaires given to prisoners",
          "the composition of the committee", "the release conditions", "the notification of families",
          "the treatment of detainees in {place}", "the events of {month} 1988", "the prison registers"]
FOLDERS = {"testimony": "testimonies", "decree": "decrees", "statement": "statements", "document": "documents",
           "media": "media"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
FA_WORDS = ("دادگاه زندان حکم زندانی هیئت دستور بازجویی مسئول شهادت خانواده سازمان تاریخ شهر نامه گزارش "
            "قاضی دادستان بند سلول فهرست اسامی منتشر شد است بود کرد گفت این آن در از به با که را و برای پس "
            "کشور می‌شود نمی‌دانیم ملاقات اعلام دفتر پرونده رسیدگی اجرا فوری محرمانه مقامات شورا").split()
FA_HEADINGS = ["دستور محرمانه", "ابلاغیه", "نامهٔ اداری", "حکم دادگاه", "صورت‌جلسه"]


# ------------------------------------------------------------------ helpers

def slug(s: str) -> str:
    out = "".join(ch if ch.isalnum() and ch.isascii() else "-" for ch in s.lower())
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def q(s) -> str:
    """A YAML double-quoted scalar (JSON string syntax is a subset of it)."""
    return json.dumps(str(s), ensure_ascii=False)


def dump_yaml(obj, indent: int = 0) -> str:
    """Minimal deterministic YAML emitter: mappings, lists, strings, bools."""
    pad = " " * indent
    lines = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (dict, list)):
                if not v:
                    lines.append(f"{pad}{k}: {'{}' if isinstance(v, dict) else '[]'}")
                else:
                    lines.append(f"{pad}{k}:")
                    lines.append(dump_yaml(v, indent + 2))
            else:
                lines.append(f"{pad}{k}: {_scalar(v)}")
    elif isinstance(obj, list):
        for v in obj:
            if isinstance(v, dict):
                sub = dump_yaml(v, indent + 2).split("\n")
                sub[0] = f"{pad}- " + sub[0][indent + 2:]
                lines.extend(sub)
            else:
                lines.append(f"{pad}- {_scalar(v)}")
    return "\n".join(lines)


def _scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return q(v)


class Gen:
    def __init__(self, seed: int, items: int, accused: int, rtl_brackets: bool = True):
        self.rng = random.Random(seed)
        self.rtl_brackets = rtl_brackets
        self.n_items, self.n_accused = items, accused
        self.year_lo, self.year_hi = 1981, 1990

    # --- small pieces
    def person(self) -> tuple[str, str]:
        g, gf = self.rng.choice(GIVEN)
        s, sf = self.rng.choice(SURNAMES)
        return f"{g} {s}", f"{gf} {sf}"

    def sensitive_person(self) -> tuple[str, str]:
        g, gf = self.rng.choice(GIVEN)
        s, sf = self.rng.choice(SENSITIVE_SURNAMES)
        return f"{g} {s}", f"{gf} {sf}"

    def place(self, persian: float = 0.25) -> str:
        p, pf = self.rng.choice(PLACES)
        return f"{p} ({pf})" if self.rng.random() < persian else p

    def point(self, precision: str, year: int | None = None) -> str:
        r = self.rng
        y = year or r.choice([1988] * 5 + list(range(self.year_lo, self.year_hi + 1)))
        if precision == "year":
            return f"{y}"
        if precision == "season":
            return f"{y}-{r.randint(21, 24)}"
        m = r.randint(1, 12)
        if precision == "month":
            return f"{y}-{m:02d}"
        return f"{y}-{m:02d}-{r.randint(1, 28):02d}"

    def date(self) -> str:
        """An EDTF date of any accepted form."""
        r = self.rng
        k = r.random()
        if k < 0.40:
            return self.point("day")
        if k < 0.58:
            return self.point("month")
        if k < 0.66:
            return self.point("year")
        if k < 0.72:
            return self.point("season")
        if k < 0.82:
            return self.point(r.choice(["year", "month", "season", "day"])) + r.choice("~?%")
        if k < 0.97:  # closed interval
            y = r.randint(self.year_lo, self.year_hi - 1)
            kind = r.choice(["day", "month", "year"])
            if kind == "day":
                m, d = r.randint(1, 12), r.randint(1, 20)
                return f"{y}-{m:02d}-{d:02d}/{y}-{m:02d}-{d + r.randint(1, 8):02d}"
            if kind == "month":
                m = r.randint(1, 10)
                return f"{y}-{m:02d}/{y}-{m + r.randint(1, 2):02d}"
            return f"{y}/{y + r.randint(1, 2)}"
        return r.choice([f"../{self.point('day')}", f"{self.point('year')}/.."])

    def fill(self, s: str) -> str:
        r = self.rng
        return (s.replace("{place}", self.place(0.1)).replace("{person}", self.person()[0])
                .replace("{org}", r.choice(ORGANISATIONS)).replace("{n}", str(r.randint(1, 12)))
                .replace("{date}", f"{r.randint(1, 28)} {r.choice(MONTHS)} {r.randint(1981, 1990)}")
                .replace("{month}", r.choice(MONTHS)))

    def clause(self) -> str:
        """Noun phrase and verb phrase, in agreement."""
        r = self.rng
        np_, vp = r.choice(NP), r.choice(VP)
        if np_.split()[1].endswith("s") and vp.startswith("was "):
            vp = "were " + vp[4:]
        return f"{np_} {vp}"

    def sentence(self) -> str:
        r = self.rng
        k = r.random()
        if k < 0.35:
            s = f"{r.choice(SUBJ)} {r.choice(REPORTED)} that {self.clause()} {r.choice(PP)}."
        elif k < 0.55:
            s = f"{r.choice(ADV)}, {self.clause()} {r.choice(PP)}."
        elif k < 0.70:
            s = (f"{r.choice(SUBJ)} {r.choice(REPORTED)} that {{person}} had been transferred to {{place}} "
                 f"{r.choice(PP)}, where {self.clause()}.")
        elif k < 0.82:
            s = f"It is not stated in the record whether {self.clause()} {r.choice(PP)}."
        elif k < 0.92:
            s = f"{r.choice(ADV)}, the conduct described {r.choice(['appears', 'was', 'would be'])} {r.choice(LEGAL)}."
        else:
            s = f"On {{date}}, {self.clause()}, {r.choice(LEGAL)}."
        s = self.fill(s)
        return s[0].upper() + s[1:]

    def words(self, n: int) -> str:
        out, count = [], 0
        while count < n:
            s = self.sentence()
            out.append(s)
            count += len(s.split())
        return " ".join(out)

    def fa_sentence(self) -> str:
        r = self.rng
        ws = [r.choice(FA_WORDS) for _ in range(r.randint(8, 16))]
        if r.random() < 0.3:
            ws.insert(r.randint(1, len(ws) - 1), f"{r.choice(FA_WORDS)}،")
        if r.random() < 0.2:  # an article number, in brackets (mirrored in right-to-left text)
            n = r.randint(1, 30)
            ws.insert(r.randint(1, len(ws) - 1), f"({n})" if self.rtl_brackets else f"{n}")
        return " ".join(ws) + "."

    def fa_paragraph(self) -> str:
        return " ".join(self.fa_sentence() for _ in range(self.rng.randint(2, 4)))

    def body(self, target: int, terms: list[str]) -> tuple[str, int]:
        """Markdown body of about `target` words: paragraphs, block quotes, sometimes a heading,
        a list, bold/italic, a marked span. Returns (text, number of paragraphs)."""
        r = self.rng
        parts, count, paras = [], 0, 0
        if r.random() < 0.15:
            parts.append(f"# {r.choice(['Background', 'Account', 'Context', 'Circumstances'])}")
        while count < target:
            k = r.random()
            if k < 0.18 and paras:
                n = r.randint(1, 3)
                q_ = " ".join(self.fill(r.choice(FIRST)) for _ in range(n))
                parts.append("> " + q_)
                count += len(q_.split())
            elif k < 0.21 and paras:
                parts.append("> " + self.fa_paragraph())
                count += 20
            elif k < 0.25 and paras:
                items = [self.sentence() for _ in range(r.randint(2, 4))]
                num = r.random() < 0.5
                parts.append("\n".join(f"{i}. {t}" if num else f"- {t}" for i, t in enumerate(items, 1)))
                count += sum(len(t.split()) for t in items)
            else:
                n = r.randint(3, 7)
                text = " ".join(self.sentence() for _ in range(n))
                if r.random() < 0.12:
                    text = f"**{r.choice(['Date.', 'Place.', 'Source.', 'Note.', 'Context.'])}** " + text
                if r.random() < 0.10:
                    w = text.split(" ")
                    alpha = [j for j, x in enumerate(w) if x.isalpha() and len(x) > 3]
                    if alpha:
                        j = r.choice(alpha)
                        w[j] = f"*{w[j]}*"
                    text = " ".join(w)
                if terms and r.random() < 0.3:
                    text += f" The name [[{r.choice(terms)}]] appears in the margin."
                parts.append(textwrap.fill(text, 96, break_on_hyphens=False, break_long_words=False))
                count += len(text.split())
                paras += 1
        return "\n\n".join(parts), paras


# ------------------------------------------------------------------ exhibit files

def make_pdf(path: Path, rng: random.Random, title: str, pages: int):
    from reportlab.lib.pagesizes import A4, letter
    from reportlab.pdfgen import canvas

    size = rng.choice([A4, A4, letter])
    rotate = rng.random() < 0.2
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size, invariant=1)
    c.setTitle(title)
    w, h = size
    for p in range(pages):
        if rotate and p % 2 == 1:
            c.setPageRotation(90)
        c.setFont("Helvetica-Bold", 14)
        c.drawString(60, h - 70, f"{title} - page {p + 1} of {pages}")
        c.setFont("Times-Roman", 10.5)
        y = h - 100
        while y > 80:
            words = " ".join(rng.choice(["the", "prisoner", "ward", "order", "committee", "transferred",
                                         "register", "hearing", "sentence", "guard", "section", "list",
                                         "names", "date", "signature", "decision", "file", "no."])
                             for _ in range(rng.randint(8, 14)))
            c.drawString(60, y, words)
            y -= 14
        c.setStrokeGray(0.6)
        c.rect(40, 40, w - 80, h - 80)
        c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())


def make_png(path: Path, rng: random.Random, title: str):
    """A scan-like greyscale page: title and ruled text lines."""
    from PIL import Image, ImageDraw

    w, h = rng.choice([(1240, 1754), (1100, 1500), (1600, 1200)])
    img = Image.new("L", (w, h), 250)
    d = ImageDraw.Draw(img)
    d.rectangle([30, 30, w - 30, h - 30], outline=120, width=3)
    d.text((70, 60), title, fill=20)
    y = 120
    while y < h - 80:
        x1 = rng.randint(w // 2, w - 80)
        d.line([70, y, x1, y], fill=rng.randint(40, 110), width=rng.randint(3, 6))
        y += rng.randint(22, 34)
    img.save(path, format="PNG", optimize=False)


def make_jpeg(path: Path, rng: random.Random, title: str):
    """A photo-like colour image: a gradient and some shapes."""
    from PIL import Image, ImageDraw

    w, h = rng.choice([(1600, 1200), (1280, 960), (1024, 768)])
    base = (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200))
    grad = Image.linear_gradient("L").resize((w, h))
    img = Image.merge("RGB", [grad.point(lambda v, c=c: (c + v) // 2) for c in base])
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(6, 14)):
        x, y = rng.randint(0, w - 50), rng.randint(0, h - 50)
        d.ellipse([x, y, x + rng.randint(30, 300), y + rng.randint(30, 300)],
                  fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
    d.text((20, 20), title, fill=(255, 255, 255))
    img.save(path, format="JPEG", quality=82)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ the case

def generate(items: int, accused: int, seed: int, out: Path, case_id: str = "bench",
             exhibit_share: float = 0.10, rtl_brackets: bool = True) -> dict:
    """Write the case; return a summary (paths, counts)."""
    if items < 1 or accused < 1:
        raise ValueError("--items and --accused must be at least 1")
    out = Path(out)
    case_dir = out / "cases" / case_id
    ex_dir = out / "exhibits" / case_id
    for d in (case_dir, ex_dir):
        if d.exists():
            shutil.rmtree(d)
    (case_dir / "evidence").mkdir(parents=True)
    ex_dir.mkdir(parents=True)

    g = Gen(seed, items, accused, rtl_brackets)
    r = g.rng

    # accused
    acc = []
    used_ids = set()
    for i in range(accused):
        name, name_fa = g.person()
        aid = slug(name)
        if aid in used_ids:
            aid = f"{aid}-{i + 1}"
        used_ids.add(aid)
        a = {"id": aid, "name": name, "name_original": name_fa}
        if r.random() < 0.4:
            a["aliases"] = [f"Haj Agha {name.split()[-1]}"] + ([name.replace("ou", "u")] if "ou" in name else [])
        a["status"] = r.choice(STATUSES)
        a["stamp"] = f"A{i + 1:03d}"
        roles = []
        for _ in range(r.randint(1, 3)):
            y = r.randint(1981, 1989)
            role = {"title": r.choice(ROLE_TITLES), "institution": g.place(0.3)}
            if r.random() < 0.8:
                role["from"] = g.point(r.choice(["year", "month"]), y)
            if r.random() < 0.5:
                role["to"] = str(y + r.randint(1, 4))
            role["source"] = f"{r.choice(PUBLISHERS)}, p. {r.randint(1, 300)}"
            roles.append(role)
        a["roles"] = roles
        if r.random() < 0.7:
            a["notes"] = g.words(r.randint(30, 90))
        acc.append(a)
    acc_ids = [a["id"] for a in acc]

    charges = []
    for cid, label, basis, els in CHARGES:
        c = {"id": cid, "label": label, "basis": basis}
        if els:
            c["elements"] = [{"id": e, "label": lab} for e, lab in els]
        charges.append(c)
    charge_refs = [c[0] for c in CHARGES] + [f"{c[0]}/{e[0]}" for c in CHARGES for e in c[3]]

    events = []
    for _ in range(10 + items // 100):
        ev = {"date": g.date(), "title": g.fill(r.choice(["Transfer of prisoners to {place}",
                                                            "Family visits suspended in {place}",
                                                            "Hearings begin in {place}",
                                                            "Mass burial reported near {place}",
                                                            "Amnesty announced by the {org}"]))}
        if r.random() < 0.6:
            ev["places"] = [g.place(0.2)]
        if r.random() < 0.5:
            ev["source"] = f"{r.choice(PUBLISHERS)}, issue {r.randint(1, 90)}"
        events.append(ev)

    case = {
        "id": case_id,
        "title": f"Synthetic benchmark case ({items} items, {accused} accused; fictitious persons and events)",
        "forum": "Benchmark forum (synthetic data, not a filing)",
        "prepared_by": f"bench/generate.py, seed {seed}",
        "as_of": "2026-11-01",
        "language": "en",
        "numbering": {"exhibit_prefix": "EX-", "exhibit_width": max(4, len(str(items))), "stamp_prefix": "BN"},
        "translation_layout": "side-by-side",
        "summary": g.words(120),
        "accused": acc,
        "charges": charges,
        "events": events,
    }
    (case_dir / "case.yaml").write_text(
        f"# Synthetic case generated by bench/generate.py --items {items} --accused {accused} --seed {seed}\n"
        + dump_yaml(case) + "\n", encoding="utf-8")

    # exhibit files
    n_pdf = max(3, min(40, items // 100))
    n_img = max(3, min(40, items // 100))
    files = []
    for i in range(n_pdf):
        p = ex_dir / "pdf" / f"exhibit-{i + 1:03d}.pdf"
        p.parent.mkdir(exist_ok=True)
        make_pdf(p, r, f"Scanned record {i + 1}", r.randint(2, 8))
        files.append(p)
    for i in range(n_img):
        p = ex_dir / "images" / (f"scan-{i + 1:03d}.png" if i % 2 == 0 else f"photo-{i + 1:03d}.jpg")
        p.parent.mkdir(exist_ok=True)
        (make_png if i % 2 == 0 else make_jpeg)(p, r, f"Exhibit image {i + 1}")
        files.append(p)
    file_names = [p.relative_to(ex_dir).as_posix() for p in files]
    file_sha = {n: sha(ex_dir / n) for n in file_names}

    # items
    types = ["testimony"] * 30 + ["decree"] * 10 + ["statement"] * 20 + ["document"] * 25 + ["media"] * 15
    counts = {t: 0 for t in ("testimony", "decree", "statement", "document", "media")}
    words_total = 0
    n_with_files = 0
    for i in range(items):
        t = r.choice(types)
        counts[t] += 1
        iid = f"{t}-{i + 1:05d}"
        topic = g.fill(r.choice(TOPICS))
        protected = t == "testimony" and r.random() < 0.15
        who, who_fa = g.sensitive_person() if protected else g.person()
        title = g.fill(r.choice(TITLE_T[t]).replace("{topic}", topic).replace("{person}", who))
        k = r.choice([1, 1, 2, 2, 3]) if accused > 1 else 1
        concerned = [acc_ids[i]] if i < accused else []  # every accused has at least one item
        while len(concerned) < min(k, accused):
            a = r.choice(acc_ids)
            if a not in concerned:
                concerned.append(a)
        it: dict = {"id": iid, "type": t, "title": title}
        if r.random() < 0.95:
            it["date"] = g.date()
        it["accused"] = concerned
        if r.random() < 0.85:
            it["charges"] = sorted(set(r.sample(charge_refs, r.randint(1, 4))))
        places = sorted({g.place(0.3) for _ in range(r.randint(0, 4))})
        if places:
            it["places"] = places
        persons = sorted({(g.person()[1] if r.random() < 0.15 else g.person()[0]) for _ in range(r.randint(0, 5))}
                         | ({who} if t in ("testimony", "statement") else set()))
        if persons:
            it["persons"] = persons
        orgs = sorted({r.choice(ORGANISATIONS) for _ in range(r.randint(0, 3))})
        if orgs:
            it["organisations"] = orgs
        it["language"] = "en"
        if r.random() < 0.6:
            it["summary"] = g.words(r.randint(30, 80))
        srcs = []
        for _ in range(r.randint(1, 3)):
            s = {"title": g.fill(r.choice(["Report on {place}", "Collected testimonies, volume {n}",
                                           "Interview transcript no. {n}", "Annual bulletin {n}",
                                           "Letter archive, folder {n}"]))}
            if r.random() < 0.7:
                s["publisher"] = r.choice(PUBLISHERS)
            if r.random() < 0.5:
                s["url"] = f"https://example.org/archive/{iid}/{r.randint(1, 999)}"
            if r.random() < 0.6:
                s["published"] = g.point(r.choice(["year", "month", "day"]), r.randint(1990, 2024))
            if "url" in s and r.random() < 0.7:
                s["accessed"] = g.point("day", r.randint(2020, 2026))
            if r.random() < 0.7:
                s["locator"] = f"paragraph {r.randint(1, 40)}"
            srcs.append(s)
        it["sources"] = srcs
        if r.random() < exhibit_share:
            n_with_files += 1
            exs = []
            for name in sorted(set(r.sample(file_names, r.choice([1, 1, 1, 2])))):
                e = {"file": name, "description": g.fill(r.choice(["Copy of the record held at {place}",
                                                                    "Scan supplied by the family",
                                                                    "Photograph of the site", "Page of the register"]))}
                if r.random() < 0.3:
                    e["sha256"] = file_sha[name]
                if r.random() < 0.05:
                    e["confidential"] = True
                exs.append(e)
            it["exhibits"] = exs
        if r.random() < 0.05:
            it["confidential"] = True
        terms = []
        if r.random() < 0.10:
            terms = [g.sensitive_person()[0]]
            it["redact"] = terms
        # per-type fields
        if t == "testimony":
            w = {"name": who}
            if r.random() < 0.7:
                w["name_original"] = who_fa
            if protected:
                w["protected"] = True
                w["pseudonym"] = f"Witness {chr(65 + i % 26)}-{i + 1}"
            it["witness"] = w
            if r.random() < 0.6:
                it["given_on"] = g.point("day", r.randint(1990, 2024))
            if r.random() < 0.5:
                it["forum"] = r.choice(["Stockholm District Court", "People’s tribunal (London)",
                                        "Interview with the documentation centre", "Truth commission hearing"])
            det = []
            for _ in range(r.choice([0, 1, 1, 2, 3])):
                dd = {"place": g.place(0.3)}
                if r.random() < 0.7:
                    y = r.randint(1981, 1988)
                    dd["from"] = str(y)
                    if r.random() < 0.6:
                        dd["to"] = str(y + r.randint(0, 6))
                if r.random() < 0.4:
                    dd["note"] = g.words(12)
                det.append(dd)
            if det:
                it["detention"] = det
        elif t == "decree":
            it["issuer"] = r.choice(ORGANISATIONS)
            if r.random() < 0.6:
                it["issued"] = g.point("day", 1988)
            if r.random() < 0.5:
                it["addressee"] = r.choice(ORGANISATIONS)
        elif t == "statement":
            it["speaker"] = who
            if r.random() < 0.6:
                it["role"] = r.choice(ROLE_TITLES)
            if r.random() < 0.6:
                it["outlet"] = r.choice(PUBLISHERS)
            if r.random() < 0.5:
                it["medium"] = r.choice(["television", "radio", "newspaper", "speech", "press conference"])
            if r.random() < 0.4:
                it["context"] = g.words(15)
        elif t == "document":
            it["kind"] = r.choice(["letter", "memo", "minutes", "report", "list"])
            it["author"] = r.choice([who, r.choice(ORGANISATIONS)])
            if r.random() < 0.6:
                it["recipient"] = r.choice([g.person()[0], r.choice(ORGANISATIONS)])
        else:
            it["kind"] = r.choice(["post", "video", "article", "broadcast"])
            it["author"] = who
            if r.random() < 0.6:
                it["handle"] = "@" + slug(who).replace("-", "_")
            it["platform"] = r.choice(["Telegram", "YouTube", "X (Twitter)", "Instagram", "news website"])
            if r.random() < 0.7:
                it["url"] = f"https://example.net/{slug(who)}/{i + 1}"
            if r.random() < 0.6:
                it["captured"] = g.point("day", r.randint(2015, 2026))
            if "url" in it and r.random() < 0.4:
                it["archive_url"] = f"https://archive.example.org/{i + 1}"

        target = int(r.triangular(150, 1500, 400))
        body, paras = g.body(target, terms)
        if protected:
            body = f"The witness, {who}, gave this account in person.\n\n" + body
        words_total += len(body.split())
        if t == "decree" and r.random() < 0.4:
            it["original"] = {"language": "fa", "title": r.choice(FA_HEADINGS),
                              "text": "\n\n".join(g.fa_paragraph() for _ in range(max(1, min(paras, 6))))}
            it["translation"] = {"translator": g.person()[0], "certified": r.random() < 0.5}
            if it["translation"]["certified"]:
                it["translation"]["certification"] = "Certified by a sworn translator"
        # key order as in the sample: the type's own fields last is fine; YAML order is free
        folder = case_dir / "evidence" / FOLDERS[t]
        folder.mkdir(exist_ok=True)
        (folder / f"{iid}.md").write_text(f"---\n{dump_yaml(it)}\n---\n{body}\n", encoding="utf-8")

    return {"root": out, "case_id": case_id, "items": items, "accused": accused, "types": counts,
            "words": words_total, "files": len(files), "items_with_files": n_with_files}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=2000, help="number of evidence items (default 2000)")
    ap.add_argument("--accused", type=int, default=20, help="number of accused (default 20)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--out", type=Path, required=True, help="workspace folder to write into")
    ap.add_argument("--case-id", default="bench", help="case id (default bench)")
    ap.add_argument("--exhibit-share", type=float, default=0.10,
                    help="share of items that reference exhibit files (default 0.10)")
    ap.add_argument("--no-rtl-brackets", action="store_true",
                    help="no brackets inside Persian (right-to-left) paragraphs")
    a = ap.parse_args(argv)
    s = generate(a.items, a.accused, a.seed, a.out, a.case_id, a.exhibit_share, not a.no_rtl_brackets)
    types = ", ".join(f"{k} {v}" for k, v in s["types"].items())
    print(f"{a.out}/cases/{a.case_id}: {s['items']} items ({types}), {s['accused']} accused, "
          f"{s['words']} body words; {s['files']} exhibit files used by {s['items_with_files']} items")
    return 0


if __name__ == "__main__":
    sys.exit(main())
