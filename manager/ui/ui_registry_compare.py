# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'registry_compare.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QDialog,
    QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel,
    QSizePolicy, QSpinBox, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget)

class Ui_RegistryCompare(object):
    def setupUi(self, RegistryCompare):
        if not RegistryCompare.objectName():
            RegistryCompare.setObjectName(u"RegistryCompare")
        RegistryCompare.resize(900, 420)
        self.layout = QVBoxLayout(RegistryCompare)
        self.layout.setObjectName(u"layout")
        self.shotsRow = QHBoxLayout()
        self.shotsRow.setObjectName(u"shotsRow")
        self.labelA = QLabel(RegistryCompare)
        self.labelA.setObjectName(u"labelA")

        self.shotsRow.addWidget(self.labelA)

        self.shotA = QSpinBox(RegistryCompare)
        self.shotA.setObjectName(u"shotA")
        self.shotA.setMaximum(2147483647)

        self.shotsRow.addWidget(self.shotA)

        self.labelB = QLabel(RegistryCompare)
        self.labelB.setObjectName(u"labelB")

        self.shotsRow.addWidget(self.labelB)

        self.shotB = QSpinBox(RegistryCompare)
        self.shotB.setObjectName(u"shotB")
        self.shotB.setMaximum(2147483647)

        self.shotsRow.addWidget(self.shotB)

        self.summaryLabel = QLabel(RegistryCompare)
        self.summaryLabel.setObjectName(u"summaryLabel")

        self.shotsRow.addWidget(self.summaryLabel)


        self.layout.addLayout(self.shotsRow)

        self.table = QTableWidget(RegistryCompare)
        if (self.table.columnCount() < 5):
            self.table.setColumnCount(5)
        __qtablewidgetitem = QTableWidgetItem()
        self.table.setHorizontalHeaderItem(0, __qtablewidgetitem)
        __qtablewidgetitem1 = QTableWidgetItem()
        self.table.setHorizontalHeaderItem(1, __qtablewidgetitem1)
        __qtablewidgetitem2 = QTableWidgetItem()
        self.table.setHorizontalHeaderItem(2, __qtablewidgetitem2)
        __qtablewidgetitem3 = QTableWidgetItem()
        self.table.setHorizontalHeaderItem(3, __qtablewidgetitem3)
        __qtablewidgetitem4 = QTableWidgetItem()
        self.table.setHorizontalHeaderItem(4, __qtablewidgetitem4)
        self.table.setObjectName(u"table")
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)

        self.layout.addWidget(self.table)

        self.buttons = QDialogButtonBox(RegistryCompare)
        self.buttons.setObjectName(u"buttons")
        self.buttons.setStandardButtons(QDialogButtonBox.Close)

        self.layout.addWidget(self.buttons)


        self.retranslateUi(RegistryCompare)

        QMetaObject.connectSlotsByName(RegistryCompare)
    # setupUi

    def retranslateUi(self, RegistryCompare):
        RegistryCompare.setWindowTitle(QCoreApplication.translate("RegistryCompare", u"Compare wiring and calibration between shots", None))
        self.labelA.setText(QCoreApplication.translate("RegistryCompare", u"Shot A", None))
        self.labelB.setText(QCoreApplication.translate("RegistryCompare", u"Shot B", None))
        self.summaryLabel.setText("")
        ___qtablewidgetitem = self.table.horizontalHeaderItem(0)
        ___qtablewidgetitem.setText(QCoreApplication.translate("RegistryCompare", u"Kind", None))
        ___qtablewidgetitem1 = self.table.horizontalHeaderItem(1)
        ___qtablewidgetitem1.setText(QCoreApplication.translate("RegistryCompare", u"Name", None))
        ___qtablewidgetitem2 = self.table.horizontalHeaderItem(2)
        ___qtablewidgetitem2.setText(QCoreApplication.translate("RegistryCompare", u"Shot A", None))
        ___qtablewidgetitem3 = self.table.horizontalHeaderItem(3)
        ___qtablewidgetitem3.setText(QCoreApplication.translate("RegistryCompare", u"Shot B", None))
        ___qtablewidgetitem4 = self.table.horizontalHeaderItem(4)
        ___qtablewidgetitem4.setText(QCoreApplication.translate("RegistryCompare", u"Changed by / why", None))
    # retranslateUi

