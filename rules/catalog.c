/*
 * catalog: the rule catalogue (see catalog.h).  The texts are written for
 * district staff: short, concrete, in Thai; the message of each finding
 * (rules/rules.c) says what was found, this says what to do about it.
 */
#include "rules/catalog.h"

#include <string.h>

static const struct catalog_rule rules[] = {
	{"status.missing", "ยังไม่ระบุสถานะ",
	    "ครัวเรือนนี้ยังไม่มีเครื่องหมายในช่องสถานะใดเลย",
	    "ใส่ 1 ในช่องสถานะที่ถูกต้องเพียงช่องเดียว (พัฒนาได้ / ขอรับการสงเคราะห์ / "
	    "พึ่งตนเองได้ / อื่น ๆ)",
	    RULES_WARNING, CATALOG_CLASSIFICATION},
	{"status.multiple", "ระบุสถานะมากกว่าหนึ่ง",
	    "ครัวเรือนนี้มีเครื่องหมายในช่องสถานะมากกว่าหนึ่งช่อง",
	    "เหลือเครื่องหมายไว้เพียงช่องเดียว แล้วลบเครื่องหมายในช่องสถานะอื่นออก",
	    RULES_ERROR, CATALOG_ALWAYS},
	{"status.invalid_mark", "เครื่องหมายสถานะไม่ถูกต้อง",
	    "ช่องสถานะมีค่าที่ไม่ใช่เครื่องหมายที่กำหนด",
	    "ใส่ 1 ในช่องที่เลือก และเว้นช่องอื่นว่างไว้ (หรือใส่ 0) ห้ามใส่ข้อความอื่น",
	    RULES_ERROR, CATALOG_ALWAYS},
	{"activity.missing", "ยังไม่บันทึกกิจกรรมพัฒนา",
	    "ครัวเรือนที่พัฒนาได้ยังไม่มีข้อมูลกิจกรรมพัฒนาเลย",
	    "กรอกข้อมูลกิจกรรมให้ครบทั้ง 6 ช่อง: ชื่อกิจกรรม วิธีการ วันที่ สถานที่ "
	    "หน่วยดำเนินการ และผลที่ได้รับ",
	    RULES_WARNING, CATALOG_ACTIVITY},
	{"activity.incomplete", "ข้อมูลกิจกรรมไม่ครบ",
	    "กรอกข้อมูลกิจกรรมพัฒนาไว้บางช่อง แต่ยังว่างบางช่อง",
	    "กรอกช่องกิจกรรมที่ยังว่าง (ตามที่ระบุในรายละเอียด) ให้ครบ",
	    RULES_ERROR, CATALOG_ALWAYS},
	{"activity.not_developable", "มีกิจกรรมในครัวเรือนที่ไม่ใช่กลุ่มพัฒนาได้",
	    "ครัวเรือนที่ขอรับการสงเคราะห์ พึ่งตนเองได้ หรืออื่น ๆ มีข้อมูลกิจกรรมพัฒนา",
	    "ตรวจสอบสถานะ: ถ้าครัวเรือนพัฒนาได้ให้แก้สถานะ ถ้าไม่ใช่ให้ลบข้อมูลกิจกรรมออก",
	    RULES_WARNING, CATALOG_ALWAYS},
	{"activity.date_invalid", "วันที่ไม่ถูกต้อง",
	    "ช่องวันที่ดำเนินการมีค่าที่อ่านเป็นวันที่ไม่ได้",
	    "พิมพ์วันที่ใหม่ เช่น 15/01/2567 หรือ 2024-01-15",
	    RULES_ERROR, CATALOG_ALWAYS},
	{"activity.date_out_of_window", "วันที่อยู่นอกช่วง",
	    "วันที่ดำเนินการอยู่ก่อนต้นปีงบประมาณ หลังวันนี้ หรือหลังวันสิ้นสุดการบันทึกกิจกรรม",
	    "แก้วันที่ให้อยู่ในช่วงที่ระบุในรายละเอียด (ตรวจปี พ.ศ./ค.ศ. ให้ถูกต้อง)",
	    RULES_ERROR, CATALOG_ALWAYS},
	{"household.key_missing", "ไม่มีรหัสบ้าน",
	    "แถวนี้มีข้อมูลแต่ไม่มีรหัสบ้าน",
	    "กรอกรหัสบ้าน 11 หลัก หรือลบข้อมูลในแถวที่ไม่ใช้ออก",
	    RULES_ERROR, CATALOG_ALWAYS},
	{"household.duplicate", "รหัสบ้านซ้ำ",
	    "รหัสบ้านนี้มีอยู่แล้วในแถวก่อนหน้า (แท็บเดียวกันหรือแท็บอื่น)",
	    "ตรวจว่าเป็นครัวเรือนเดียวกันหรือไม่ แล้วลบแถวที่ซ้ำ หรือแก้รหัสบ้านให้ถูกต้อง",
	    RULES_ERROR, CATALOG_ALWAYS},
	{"tab.missing", "ไม่พบแท็บของอำเภอ",
	    "อำเภอที่กำหนดไว้ในการตั้งค่าไม่มีแท็บในสเปรดชีต",
	    "เพิ่มแท็บที่ชื่อตรงกับอำเภอ หรือแจ้งผู้ดูแลระบบให้แก้รายชื่ออำเภอ",
	    RULES_ERROR, CATALOG_ALWAYS},
	{"tab.not_district", "แท็บที่ไม่ใช่อำเภอ",
	    "แท็บนี้ไม่มีหัวคอลัมน์ที่จำเป็นเลย จึงไม่นับเป็นอำเภอ",
	    "ถ้าเป็นแท็บของอำเภอ ให้ใส่หัวคอลัมน์ตามแบบฟอร์ม ถ้าไม่ใช่ก็ไม่ต้องทำอะไร",
	    RULES_WARNING, CATALOG_ALWAYS},
	{"tab.header_missing", "ไม่พบหัวคอลัมน์",
	    "แถวหัวตารางไม่มีหัวคอลัมน์ที่จำเป็น แท็บนี้จึงยังไม่ถูกตรวจ",
	    "แก้ชื่อหัวคอลัมน์ให้ตรงกับแบบฟอร์ม อย่าลบหรือย้ายแถวหัวตาราง",
	    RULES_ERROR, CATALOG_ALWAYS},
	{"district.no_developable", "อำเภอไม่มีครัวเรือนพัฒนาได้",
	    "ใน 1 อำเภอ ต้องมีครัวเรือนที่มีสถานะพัฒนาได้อย่างน้อย 1 ครัวเรือน",
	    "ทบทวนการจำแนกสถานะ แล้วระบุครัวเรือนที่พัฒนาได้อย่างน้อย 1 ครัวเรือน",
	    RULES_WARNING, CATALOG_CLASSIFICATION},
	{"province.below_minimum", "ครัวเรือนพัฒนาได้ทั้งจังหวัดไม่ถึงเกณฑ์",
	    "ทั้งจังหวัดมีครัวเรือนที่พัฒนาได้น้อยกว่าเกณฑ์ขั้นต่ำ",
	    "เพิ่มครัวเรือนที่มีรายได้ตามเกณฑ์ขึ้นไป และ/หรือมีปัญหาด้านอื่น ให้ครบตามเกณฑ์",
	    RULES_WARNING, CATALOG_CLASSIFICATION},
};

size_t
catalog_count(void)
{
	return sizeof(rules) / sizeof(rules[0]);
}

const struct catalog_rule *
catalog_at(size_t i)
{
	return i < catalog_count() ? &rules[i] : NULL;
}

const struct catalog_rule *
catalog_find(const char *id)
{
	size_t i;

	if (id == NULL)
		return NULL;
	for (i = 0; i < catalog_count(); i++)
		if (strcmp(rules[i].id, id) == 0)
			return &rules[i];
	return NULL;
}

const char *
catalog_severity_word(enum rules_severity s)
{
	return s == RULES_ERROR ? "ต้องแก้ไข" : "ข้อสังเกต";
}
